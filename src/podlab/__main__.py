from podlab.cli.main import main

main()
