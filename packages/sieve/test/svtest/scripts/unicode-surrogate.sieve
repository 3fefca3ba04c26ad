require "encoded-character";
keep;
if header :is "x" "${Unicode:DF01}" { keep; }
