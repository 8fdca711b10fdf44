// Package views renders engine data for people: the human plan in the form
// Terraform users read (+ create, ~ update, - destroy, attribute-level and,
// for policy documents, statement-level differences) and the progress of an
// apply. Views write to an io.Writer handed to them; colour is the caller's
// choice, made from whether the output is a terminal.
package views
