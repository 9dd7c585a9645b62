from mutua.cli import main

main()
