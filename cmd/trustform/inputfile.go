package main

import (
	"os"

	"github.com/trustform/trustform/internal/regularfile"
)

// openRegular opens a file trustform was given to read (a saved plan),
// refusing what is not a regular file: see internal/regularfile.
func openRegular(path string) (*os.File, error) { return regularfile.Open(path) }

// readRegular reads a regular file of at most limit bytes.
func readRegular(path string, limit int64) ([]byte, error) { return regularfile.Read(path, limit) }
