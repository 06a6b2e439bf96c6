import sys

from retrocoach.cli import main

sys.exit(main())
