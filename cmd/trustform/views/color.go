package views

// Colors holds the escape sequences a view uses; the zero value prints none.
type Colors struct {
	Green, Yellow, Red, Bold, Dim, Reset string
}

// ANSI returns the colours for a terminal.
func ANSI() Colors {
	return Colors{Green: "\x1b[32m", Yellow: "\x1b[33m", Red: "\x1b[31m", Bold: "\x1b[1m", Dim: "\x1b[2m", Reset: "\x1b[0m"}
}
