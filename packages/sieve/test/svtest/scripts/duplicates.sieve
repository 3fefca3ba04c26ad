require "fileinto";
fileinto "Frop";
keep;
fileinto "Frop";
fileinto "inbox";
redirect "a@example.com";
redirect "A@EXAMPLE.com";
keep;
