require "mboxmetadata";
if metadata "INBOX" "/public/x" "y" { keep; }
