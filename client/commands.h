/* commands.h: writ's subcommands. Each takes argv starting at its own name
 * (argv[0] = "keygen", "sign", ...), parses its options with getopt_long,
 * answers --help with a synopsis and a real example on stdout (exit 0), and
 * returns the process exit status: 0 ok, 1 failure, 2 usage or config error.
 * Errors go to stderr as one line "writ: what: where". */
#ifndef WRIT_COMMANDS_H
#define WRIT_COMMANDS_H

#define EXIT_USAGE 2

int cmd_keygen(int argc, char **argv);
int cmd_policy_sign(int argc, char **argv);
int cmd_policy_check(int argc, char **argv);
int cmd_policy_explain(int argc, char **argv);
int cmd_policy_push(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_approve(int argc, char **argv);

/* After getopt_long returned '?': says which option is unknown or lacks
 * its argument, and returns EXIT_USAGE. Needs opterr = 0. */
int unknown_option(const char *cmd, int argc, char **argv);

/* Prints "writ: " + the formatted message + newline to stderr. */
void warnx_writ(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
