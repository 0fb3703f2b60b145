// Package filewatch reports configuration files modified on disk; the
// daemon wires its Watcher to detect.Hub.ConfigChanged, which feeds the
// config detectors ("file PATH changed").
//
// It is apart from package config, the detector, so that the detector
// table (detect/types), and ds/parse through it, do not link fsnotify.
package filewatch
