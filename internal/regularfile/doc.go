// Package regularfile owns how trustform reads a file it was given or keeps:
// regular files only (a named pipe would block the open forever, a device
// such as /dev/zero never ends), of bounded size. The stack loader, the
// command line (saved plans, fmt) and the local target's state and seed all
// read through it, and word its errors for their own files.
package regularfile
