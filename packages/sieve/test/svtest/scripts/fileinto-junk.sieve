require "fileinto";
fileinto "Junk";
