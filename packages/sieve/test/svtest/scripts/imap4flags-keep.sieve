require "imap4flags";
addflag "$Inner";
