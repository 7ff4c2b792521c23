from sbzoom.cli.main import main

main()
