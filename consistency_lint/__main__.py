from consistency_lint.adapters.cli import main

main()
