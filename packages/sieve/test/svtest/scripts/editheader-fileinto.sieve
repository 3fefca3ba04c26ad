require ["editheader", "fileinto"];
addheader "X-Edited" "yes";
deleteheader "subject";
fileinto "Edited";
