import sys

from vnmisinfo.cli import console

sys.exit(console())
