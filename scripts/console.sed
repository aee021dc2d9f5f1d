# Turn a test host's serial console into plain lines for the user's
# terminal: firmware and guests write terminal controls (SeaBIOS resets
# the screen with ESC c and clears it with ESC [2J), which would wipe the
# terminal in the middle of a run.  The logs keep the console as it was.
# usage: sed -u -f scripts/console.sed
s/\r//g
s/\x1b\[[0-9;?=]*[A-Za-z]//g
s/\x1b[()#][0-9A-Za-z]//g
s/\x1b.//g
s/\x1b//g
