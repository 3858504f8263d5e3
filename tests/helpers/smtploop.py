# ISC license.
#
# smtploop.py: the command loop of the scripted line-based servers
# (st-smtpd.py, uc-mailsrv.py): "import smtploop" (their own directory
# is on sys.path).
#
# serve(next_line, handlers, unknown, verb=first_word)
#   Reads command lines with next_line() (a str without its line end,
#   or None at end of input: serve returns), and calls
#   handlers[verb(line)](line), or unknown(line) for a verb it does not
#   know. A handler that ends the session exits. verb(line) is the first
#   word, upper-cased; pass another for protocols whose commands are
#   whole lines (POP3) or follow a tag (IMAP).
# multiline(code, lines)
#   An SMTP multi-line reply: "250-a\r\n250-b\r\n250 c\r\n".


def first_word(line):
    words = line.split()
    return words[0].upper() if words else ""


def serve(next_line, handlers, unknown, verb=first_word):
    while True:
        line = next_line()
        if line is None:
            return
        handlers.get(verb(line), unknown)(line)


def multiline(code, lines):
    return "".join("%s%s%s\r\n" % (code, " " if i == len(lines) - 1 else "-", l)
                   for i, l in enumerate(lines))
