package config

// Defaults and limits of the Call Home guides. The line numbers are those of
// ../shared/reference/configure-call-home-and-diagnostic-signatures.txt
// ("DS guide") unless noted.
const (
	// DefaultServiceCallHome: on, as on IOS XE 16 and later, where
	// "service call-home" is in the default configuration (the older
	// guides' table, DS guide line 2096, says disabled).
	DefaultServiceCallHome = true

	// MinRateLimit, MaxRateLimit and DefaultRateLimit bound "rate-limit",
	// messages per minute: "Range is 1 to 60. The default is 20." (line 931).
	MinRateLimit     = 1
	MaxRateLimit     = 60
	DefaultRateLimit = 20

	// MaxMailServers: a primary and up to four backups (line 775).
	MaxMailServers = 5
	// MinMailPriority and MaxMailPriority bound "mail-server ... priority N"
	// (line 822); the lowest number is tried first.
	MinMailPriority = 1
	MaxMailPriority = 100

	// MaxProfileName is the longest profile name (line 305); names are
	// case-insensitive and may not be "all" (line 309).
	MaxProfileName = 31
	// ReservedProfileName cannot name a profile.
	ReservedProfileName = "all"

	// MinMessageSize, MaxMessageSize and DefaultMessageSize bound
	// "destination message-size-limit" in bytes (line 316).
	MinMessageSize     = 50
	MaxMessageSize     = 3145728
	DefaultMessageSize = MaxMessageSize

	// MaxSyslogPatterns: "up to five patterns for each destination profile"
	// (line 640).
	MaxSyslogPatterns = 5

	// DefaultAAAUsername: "Default username is callhome." (line 1007).
	DefaultAAAUsername = "callhome"

	// MaxSnapshotCommand is the longest "add-command" (line 761).
	MaxSnapshotCommand = 128

	// MaxContactEmail, MaxPhoneNumber, MaxStreetAddress, MaxCustomerID,
	// MaxSiteID and MaxContractID are the contact field lengths (lines
	// 222-274).
	MaxContactEmail  = 200
	MaxPhoneNumber   = 17
	MaxStreetAddress = 200
	MaxCustomerID    = 64
	MaxSiteID        = 200
	MaxContractID    = 64

	// MaxHostLength bounds mail-server names, the http-proxy name, the
	// source interface and the AAA username ("Maximum length is 64",
	// lines 140, 854, 1007).
	MaxHostLength = 64

	// MaxProfiles and MaxDestinationAddresses are dsengine's own limits (the
	// guides give none): they keep a configuration's size bounded.
	MaxProfiles             = 100
	MaxDestinationAddresses = 32

	// MinTrack and MaxTrack bound track object numbers (IOS XE).
	MinTrack = 1
	MaxTrack = 1000

	// MaxIPSLA bounds IP SLA operation numbers.
	MaxIPSLA = 2147483647

	// DefaultSLAFrequency and DefaultSLATimeout are the IOS IP SLA defaults,
	// in seconds and milliseconds.
	DefaultSLAFrequency = 60
	DefaultSLATimeout   = 5000

	// DefaultSSHPort is the port of "executor ssh" without "port".
	DefaultSSHPort = 22
)

// MaxListEntries is dsengine's limit on each list that "no" can edit
// (environment variables, command maps, trust keys, snapshot commands):
// it keeps parsing time bounded.
const MaxListEntries = 1000
