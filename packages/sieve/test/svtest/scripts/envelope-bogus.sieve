require "envelope";
if envelope :is "bogus" "a" { keep; }
