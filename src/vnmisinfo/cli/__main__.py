import sys

from vnmisinfo.cli import main

sys.exit(main())
