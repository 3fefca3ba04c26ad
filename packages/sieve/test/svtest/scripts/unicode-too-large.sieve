require "encoded-character";
if header :is "x" "${unicode:200000}" { keep; }
