require "fileinto";
fileinto "Frop";
keep;
