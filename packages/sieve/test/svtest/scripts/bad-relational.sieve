require "relational";
if header :value "gtx" "subject" "a" { keep; }
