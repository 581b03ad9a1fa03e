/* mkrequest.c: builds and signs a request with the library, as the client
 * will, and writes it framed for writ-gate's stdin (docs/PROTOCOL.md):
 *   mkrequest -k KEY [-k KEY...] --host ID --realm R [--ttl SEC]
 *       [--not-before UNIX] [--not-after UNIX] [--nonce HEX] [-m TEXT]
 *       [--stdin-file FILE | --upload FILE] [--payload-digest-of FILE]
 *       [--payload-size N] [--raw] OP [NAME=VALUE...]
 * --upload sends FILE as an upload (payload kind 1); --payload-digest-of
 * signs another file's digest and size than the bytes sent, and
 * --payload-size another size. Test tool only: keys must be unencrypted
 * signer keys (writ keygen -W). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "file.h"
#include "minisign.h"
#include "request.h"

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "mkrequest: %s: %s\n", what, why);
	exit(2);
}

static void
put_all(const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		die("stdout", "write failed");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "realm", required_argument, NULL, 'R' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "not-before", required_argument, NULL, 'B' },
		{ "not-after", required_argument, NULL, 'A' },
		{ "nonce", required_argument, NULL, 'N' },
		{ "stdin-file", required_argument, NULL, 'S' },
		{ "payload-size", required_argument, NULL, 'P' },
		{ "upload", required_argument, NULL, 'U' },
		{ "payload-digest-of", required_argument, NULL, 'D' },
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keys[REQUEST_MAX_SIGS], *payload = NULL, *signed_of = NULL;
	long long nb = -1, na = -1, psize = -1;
	struct minisign_sec *sec;
	struct request rq;
	struct buf pl, other;
	int kind = PAYLOAD_STDIN;
	struct werr e;
	uint8_t *enc, len[4];
	size_t nkeys = 0, enclen, i;
	long ttl = 300;
	int c, raw = 0;
	char *eq;

	if (sodium_init() < 0)
		die("sodium", "init failed");
	memset(&rq, 0, sizeof(rq));
	request_new_nonce(&rq);
	randombytes_buf(rq.request_id, sizeof(rq.request_id));
	while ((c = getopt_long(argc, argv, "k:m:", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (nkeys == REQUEST_MAX_SIGS)
				die("-k", "too many keys");
			keys[nkeys++] = optarg;
			break;
		case 'm': rq.message = strdup(optarg); break;
		case 'H': rq.host_id = strdup(optarg); break;
		case 'R': rq.realm = strdup(optarg); break;
		case 'T': ttl = strtol(optarg, NULL, 10); break;
		case 'B': nb = strtoll(optarg, NULL, 10); break;
		case 'A': na = strtoll(optarg, NULL, 10); break;
		case 'N':
			if (sodium_hex2bin(rq.nonce, sizeof(rq.nonce), optarg,
			    strlen(optarg), NULL, NULL, NULL) != 0)
				die("--nonce", "want 64 hex digits");
			break;
		case 'S': payload = optarg; break;
		case 'U': payload = optarg; kind = PAYLOAD_UPLOAD; break;
		case 'D': signed_of = optarg; break;
		case 'P': psize = strtoll(optarg, NULL, 10); break;
		case 'r': raw = 1; break;
		default: die("usage", "see the comment at the top");
		}
	}
	if (optind >= argc || nkeys == 0 || rq.host_id == NULL ||
	    rq.realm == NULL)
		die("usage", "-k KEY --host ID --realm R OP [NAME=VALUE...]");
	rq.op = strdup(argv[optind]);
	rq.not_before = nb >= 0 ? nb : (long long)time(NULL);
	rq.not_after = na >= 0 ? na : rq.not_before + ttl;
	for (i = (size_t)optind + 1; i < (size_t)argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			die(argv[i], "not NAME=VALUE");
		*eq = '\0';
		if (request_add_param(&rq, argv[i], eq + 1, &e) != 0)
			die(argv[i], e.msg);
	}
	buf_init(&pl, 0);
	if (payload != NULL) {
		if (file_read(payload, 1 << 30, 0, &pl, &e) != 0)
			die(payload, e.msg);
		rq.payload_kind = (uint8_t)kind;
		rq.payload_size = psize >= 0 ? (uint64_t)psize : pl.len;
		crypto_generichash(rq.payload_digest, REQUEST_DIGEST_BYTES,
		    pl.data, pl.len, NULL, 0);
	}
	if (payload != NULL && signed_of != NULL) {
		buf_init(&other, 0);
		if (file_read(signed_of, 1 << 30, 0, &other, &e) != 0)
			die(signed_of, e.msg);
		rq.payload_size = psize >= 0 ? (uint64_t)psize : other.len;
		crypto_generichash(rq.payload_digest, REQUEST_DIGEST_BYTES,
		    other.data, other.len, NULL, 0);
		buf_free(&other);
	}
	for (i = 0; i < nkeys; i++) {
		if (minisign_sec_load(keys[i], KEY_SIGNER, NULL, NULL, &sec,
		    &e) != 0)
			die(keys[i], e.msg);
		if (request_sign(&rq, sec, &e) != 0)
			die("sign", e.msg);
		minisign_sec_free(sec);
	}
	if (request_encode(&rq, &enc, &enclen, &e) != 0)
		die("encode", e.msg);
	len[0] = (uint8_t)(enclen >> 24);
	len[1] = (uint8_t)(enclen >> 16);
	len[2] = (uint8_t)(enclen >> 8);
	len[3] = (uint8_t)enclen;
	if (!raw)
		put_all(len, sizeof(len));
	put_all(enc, enclen);
	put_all(pl.data, pl.len);
	free(enc);
	buf_free(&pl);
	request_free(&rq);
	return fflush(stdout) == 0 ? 0 : 2;
}
