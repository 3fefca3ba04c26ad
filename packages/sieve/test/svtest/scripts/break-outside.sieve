require "foreverypart";
foreverypart { keep; }
break;
