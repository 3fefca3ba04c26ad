require "extlists";
if header :list "from" "not a list" { keep; }
