package main

// commands is the one table of dsengine's commands: the IOS command words
// of SPEC §6, then the signature author's and the repository's tools. It is
// filled in init because the daemon's commands run commands themselves.
var commands []command

func init() { commands = commandTable() }

func commandTable() []command {
	return []command{
		{
			words:   []string{"run"},
			summary: "run the daemon: detectors, actions, periodic downloads, the control socket",
			example: "dsengine run --config /etc/dsengine/dsengine.conf --bootflash /var/lib/dsengine\n" +
				"dsengine run --demo",
			flags: runFlags,
			run:   runDaemon,
		},
		{
			words:   []string{"relay"},
			summary: "publish the configured syslog inputs to a fleet's NATS JetStream (workers: run --jetstream)",
			example: "dsengine relay --jetstream nats://10.0.0.1:4222 --partitions 16 --replicas 3 --config /etc/dsengine/relay.conf",
			flags:   relayFlags,
			run:     runRelay,
		},
		{
			words:   []string{"call-home", "diagnostic-signature", "download"},
			live:    true,
			args:    "ID|all",
			summary: "forced download of one DS or all assigned DS from the repository",
			example: "dsengine call-home diagnostic-signature download 6030\n" +
				"dsengine call-home diagnostic-signature download all",
			run: runDownload,
		},
		{
			words:   []string{"call-home", "diagnostic-signature", "install"},
			live:    true,
			args:    "ID [--file PATH] [--set ds_x=value]... | --file PATH|DIR [--file PATH|DIR]...",
			summary: "install a downloaded DS (or local signed files, many at once), answering its prompt variables",
			example: "dsengine call-home diagnostic-signature install 6030 --set ds_intf=Gi0/0/1\n" +
				"dsengine call-home diagnostic-signature install 6030 --file signatures/6030.xml\n" +
				"dsengine call-home diagnostic-signature install --file signatures/",
			flags:  installFlags,
			attach: attachInstall,
			split:  splitInstall,
			run:    runInstall,
		},
		{
			words:   []string{"call-home", "diagnostic-signature", "deinstall"},
			live:    true,
			args:    "ID|all",
			summary: "remove a DS (or all) and its state from the store",
			example: "dsengine call-home diagnostic-signature deinstall 6030",
			run:     runDeinstall,
		},
		{
			words:   []string{"show", "call-home", "diagnostic-signature"},
			live:    true,
			args:    "[ID {actions|events|prerequisite|prompt|variables|failure|statistics|download}]",
			summary: "the DS settings and the installed DS, or one DS's details",
			example: "dsengine show call-home diagnostic-signature\n" +
				"dsengine show call-home diagnostic-signature 6030 variables",
			run: runShowDS,
		},
		{
			words:   []string{"show", "call-home"},
			live:    true,
			args:    "[detail|profile all|profile NAME|statistics|mail-server status|alert-group]",
			summary: "the Call Home configuration, profiles, statistics and mail servers",
			example: "dsengine show call-home profile all",
			run:     runShowCallHome,
		},
		{
			words:   []string{"show", "running-config"},
			live:    true,
			summary: "the running configuration, as IOS prints it; without a daemon, the configuration file's",
			example: "dsengine show running-config\n" +
				"dsengine --config /etc/dsengine/dsengine.conf show running-config",
			run: runShowRunningConfig,
		},
		{
			words:   []string{"show", "event", "manager"},
			live:    true,
			args:    "policy registered|statistics|history events [detailed]",
			summary: "registered EEM applets and DS detectors, event statistics, recent applet runs",
			example: "dsengine show event manager policy registered",
			run:     runShowEventManager,
		},
		{
			words:   []string{"call-home", "test"},
			live:    true,
			args:    `["TEXT"] profile NAME`,
			summary: "send a test message to a profile's destinations",
			example: `dsengine call-home test "hello" profile user1`,
			run:     runCallHomeTest,
		},
		{
			words:   []string{"call-home", "send"},
			live:    true,
			args:    `alert-group NAME [profile NAME] | "COMMAND" email ADDR|http URL`,
			summary: "send an alert group message, or a command's output, now",
			example: `dsengine call-home send "show version" email noc@example.com`,
			run:     runCallHomeSend,
		},
		{
			words:   []string{"call-home", "request"},
			live:    true,
			args:    `output-analysis "COMMAND"|config-sanity|bugs-list|command-reference|product-advisory [profile NAME] [ccoid USER]`,
			summary: "send a request message to the Call Home backend",
			example: `dsengine call-home request output-analysis "show version" profile user1`,
			run:     runCallHomeRequest,
		},
		{
			words:   []string{"event", "manager", "run"},
			live:    true,
			args:    "NAME [ARGS]",
			summary: "run an `event none` applet in the running daemon",
			example: "dsengine event manager run BACKUP nightly",
			run:     runEventManagerRun,
		},
		{
			words:   []string{"event", "oir"},
			live:    true,
			args:    "--slot N insert|remove",
			summary: "inject an online insertion/removal event into the running daemon",
			example: "dsengine event oir --slot 3 remove",
			flags:   eventOIRFlags,
			run:     runEventOIR,
		},
		{
			words:   []string{"reload"},
			live:    true,
			summary: "make the running daemon re-read its configuration",
			example: "dsengine reload",
			run:     runReload,
		},
		{
			words:   []string{"cli"},
			args:    `[-c "COMMAND"]`,
			summary: "an IOS-style vty on the running daemon: exec and configuration modes, ? and Tab, history",
			example: "dsengine cli\n" +
				`dsengine cli -c "show running-config"`,
			flags: cliFlags,
			run:   runCLI,
		},
		{
			words:   []string{"config", "check"},
			args:    "[FILE]",
			summary: "validate a configuration: each error as file:line: message",
			example: "dsengine config check /etc/dsengine/dsengine.conf",
			run:     runConfigCheck,
		},
		{
			words:   []string{"ds", "new"},
			args:    "ID [--template syslog|correlate|script|periodic|oir] [--name NAME] [--force]",
			summary: "write ID.xml, a commented DS skeleton that passes lint, to start a signature from",
			example: "dsengine ds new 7001 --template correlate --name BgpFlap\n" +
				"dsengine ds lint 7001.xml && dsengine ds test 7001.xml --syslog router.log --device outputs/ --expect 1",
			flags: dsNewFlags,
			run:   runDSNew,
		},
		{
			words:   []string{"ds", "lint"},
			args:    "FILE...",
			summary: "check DS files: every error as file:line:col: message",
			example: "dsengine ds lint signatures/*.xml",
			run:     runLint,
		},
		{
			words:   []string{"ds", "sign"},
			args:    "--key SECRET.asc FILE...",
			summary: "write FILE.asc, a detached armoured OpenPGP signature of each FILE",
			example: "dsengine ds sign --key signatures/keys/demo-secret.asc my-signature.xml",
			flags:   signFlags,
			run:     runSign,
		},
		{
			words:   []string{"ds", "verify"},
			args:    "--trust PUBLIC.asc FILE...",
			summary: "check each FILE against FILE.asc and the trusted keys",
			example: "dsengine ds verify --trust signatures/keys/demo-public.asc signatures/*.xml",
			flags:   verifyFlags,
			run:     runVerify,
		},
		{
			words:   []string{"ds", "keygen"},
			args:    "--name NAME --email EMAIL PREFIX",
			summary: "make a signing key: PREFIX-public.asc and PREFIX-secret.asc",
			example: `dsengine ds keygen --name "NOC Signatures" --email ds@example.com keys/publisher`,
			flags:   keygenFlags,
			run:     runKeygen,
		},
		{
			words:   []string{"ds", "test"},
			args:    "FILE... [--syslog LOG] [--device DIR] [--set ds_x=v] [--hostname NAME] [--tz ZONE] [--json] [--expect N] [--expect-triggers N]",
			summary: "replay a syslog file against DS files, offline, and print what would fire",
			example: "dsengine ds test signatures/6040.xml --syslog flaps.log --device device/ --expect 1",
			flags:   dstestFlags,
			run:     runDSTest,
		},
		{
			words:   []string{"repo", "build"},
			args:    "--key SECRET.asc DIR",
			summary: "write a signed repository index for a directory of signed DS files",
			example: "dsengine repo build --key keys/publisher-secret.asc --assign user1=6015,6030 /srv/ds-repo",
			flags:   repoBuildFlags,
			run:     runRepoBuild,
		},
		{
			words:   []string{"server"},
			args:    "--data DIR [--listen ADDR] [--tls-cert F --tls-key F] [--database postgres://…]",
			summary: "the other end of Call Home: DS repository (/repo/), message collector (/ch/TOKEN) and web console",
			example: "dsengine server --data /srv/dsengine --listen 0.0.0.0:8443 --tls-cert server.pem --tls-key server.key\n" +
				"dsengine server --data /srv/dsengine --database postgres://dse@db.example.com/dsengine",
			flags: serverFlags,
			run:   runServer,
		},
		{
			words:   []string{"server", "user", "add"},
			args:    "NAME --data DIR [--role admin|read-only]",
			summary: "create or replace a console user; the password comes from the terminal or standard input",
			example: "dsengine server user add alice --role admin --data /srv/dsengine",
			flags:   serverUserFlags,
			run:     runServerUserAdd,
		},
		{
			words:   []string{"server", "token", "add"},
			args:    "PROFILE --data DIR",
			summary: "make a token for a profile's devices to post with (destination …/ch/TOKEN)",
			example: "dsengine server token add user1 --data /srv/dsengine",
			flags:   serverStoreFlags,
			run:     runServerTokenAdd,
		},
		{
			words:   []string{"repo", "serve"},
			args:    "DIR",
			summary: "serve a DS repository and answer regular download requests",
			example: "dsengine repo serve --listen 0.0.0.0:8443 --cert server.pem --key server.key /srv/ds-repo",
			flags:   repoServeFlags,
			run:     runRepoServe,
		},
	}
}
