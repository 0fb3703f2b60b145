// Package file follows a log file as `tail -F` does, through truncation and
// rotation, and delivers each line it appends.
package file
