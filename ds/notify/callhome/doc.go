// Package callhome builds Call Home messages in the XML, long-text and short-text formats, without sending them.
package callhome
