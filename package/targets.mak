# Programs built by `make` and installed by `make install`.
# Adding a program: src/tls/<prog>.c, src/tls/deps-exe/<prog>, a word here,
# a line in package/modes, doc/<prog>.html, doc/man1/<prog>.1 (make install
# fails without it) and an e2e test.
BIN_TARGETS := tlsd tlsserver tlsc tlsclient ucspitlsd ucspitlsc starttls smtpd-starttls proxy-accept
