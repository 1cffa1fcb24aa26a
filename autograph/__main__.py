from autograph.cli import main

raise SystemExit(main())
