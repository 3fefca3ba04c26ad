require ["reject", "fileinto"];
fileinto "Frop";
reject "no thanks";
