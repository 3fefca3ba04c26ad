redirect "a@example.com";
redirect "b@example.com";
redirect "c@example.com";
