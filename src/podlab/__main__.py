from podlab.cli.entry import main

main()
