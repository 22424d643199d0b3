from bertinspector.app.cli import main

raise SystemExit(main())
