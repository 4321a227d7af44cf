package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/donation-exporter/donation_exporter/config"
)

// errHelp says the arguments ask for the usage text.
var errHelp = errors.New("help asked for")

// commandLine is what the arguments say.
type commandLine struct {
	// command is check, curve, backtest, version, help, or empty to serve.
	command string
	// args follow the command: a campaign name for check, the
	// subcommand's own arguments for curve and backtest.
	args []string
	// backfill holds backfill's flags.
	backfill backfillArgs
	// environ is the environment with each flag given set over its
	// variable, so that config.Load reads one source and names one
	// variable per setting.
	environ []string
	// flagOf maps the variable of each flag given to the flag, to name
	// the flag in an error about its value.
	flagOf map[string]string
}

// parseCommandLine reads the flags Prometheus exporters share
// (--web.listen-address, --web.config.file, --config.file, --log.level,
// --log.format: config.Settings lists them), before the command and after
// check. A flag wins over its variable. curve and backtest take their own
// arguments, given to them as they are.
func parseCommandLine(args, environ []string) (commandLine, error) {
	fs := flag.NewFlagSet(exporterName, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the error is returned; --help prints its own text
	variable := map[string]string{}
	for _, s := range config.Settings() {
		if s.Flag != "" {
			fs.String(s.Flag, "", s.Meaning)
			variable[s.Flag] = s.Name
		}
	}
	showVersion := fs.Bool("version", false, "print the version")
	checkFlag := fs.Bool("check", false, "same as the check command")
	if err := parseFlags(fs, args); err != nil {
		return commandLine{}, err
	}
	cl := commandLine{args: fs.Args()}
	if len(cl.args) > 0 {
		cl.command, cl.args = cl.args[0], cl.args[1:]
	}
	switch {
	case *showVersion && cl.command == "":
		cl.command = "version"
	case *checkFlag && cl.command == "":
		cl.command = "check"
	}
	switch cl.command {
	case "", "version":
		if len(cl.args) > 0 {
			return commandLine{}, fmt.Errorf("unknown arguments %q", cl.args)
		}
	case "help":
		return commandLine{}, errHelp
	case "check":
		// Flags may follow check: donation_exporter check --config.file=f NAME.
		if err := parseFlags(fs, cl.args); err != nil {
			return commandLine{}, err
		}
		cl.args = fs.Args()
		if len(cl.args) > 1 {
			return commandLine{}, fmt.Errorf("check takes at most one campaign name, not %q", cl.args)
		}
	case "backfill":
		backfill, err := parseBackfillFlags(fs, cl.args)
		if err != nil {
			return commandLine{}, err
		}
		cl.args, cl.backfill = nil, backfill
	case "curve", "backtest":
	default:
		return commandLine{}, fmt.Errorf("unknown command %q", cl.command)
	}
	cl.environ, cl.flagOf = flagsOverVariables(fs, variable, environ)
	return cl, nil
}

// flagsOverVariables returns environ with each setting flag given as its
// variable, after the environment's (the last entry wins: config.Load
// reads environ into a map in order), and which flag set which variable.
func flagsOverVariables(fs *flag.FlagSet, variable map[string]string, environ []string) ([]string, map[string]string) {
	flagOf := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		name, ok := variable[f.Name]
		if !ok {
			return
		}
		environ = append(environ[:len(environ):len(environ)], name+"="+f.Value.String())
		flagOf[name] = "--" + f.Name
	})
	return environ, flagOf
}

// parseBackfillFlags reads backfill --campaign NAME [--out FILE] [--step D]
// (and the configuration flags, already defined on fs).
func parseBackfillFlags(fs *flag.FlagSet, args []string) (backfillArgs, error) {
	campaign := fs.String("campaign", "", "the campaign whose history to write")
	out := fs.String("out", "", "the file to write; standard output when empty")
	step := fs.Duration("step", defaultBackfillStep, "also repeat the running total this often between donations (0: at each donation only)")
	if err := parseFlags(fs, args); err != nil {
		return backfillArgs{}, err
	}
	switch {
	case fs.NArg() > 0:
		return backfillArgs{}, fmt.Errorf("backfill takes --campaign NAME, not %q", fs.Args())
	case *campaign == "":
		return backfillArgs{}, errors.New("backfill needs --campaign NAME")
	case *step < 0:
		return backfillArgs{}, fmt.Errorf("backfill --step %v: want 0 or more", *step)
	}
	return backfillArgs{campaign: *campaign, out: *out, step: *step}, nil
}

// parseFlags parses args into fs, -h and --help giving errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	// The flag package says "flag provided but not defined: -port" with
	// one dash whichever was typed.
	if name, ok := strings.CutPrefix(errString(err), "flag provided but not defined: "); ok {
		return fmt.Errorf("unknown flag -%s", name)
	}
	return err
}

// flagNames lists the flags the exporter takes, for an error message.
func flagNames() string {
	var names []string
	for _, s := range config.Settings() {
		if s.Flag != "" {
			names = append(names, "--"+s.Flag)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// nameFlags puts the flag in place of its variable in a configuration
// error, for the settings given by flag: the user typed the flag.
func (cl commandLine) nameFlags(msg string) string {
	for name, flag := range cl.flagOf {
		msg = strings.ReplaceAll(msg, name+":", flag+":")
	}
	return msg
}
