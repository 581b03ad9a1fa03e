/* test_minisign.c: authority key files and signatures are minisign 0.11's,
 * checked against the real minisign binary; signer key files are writ's own,
 * which that binary refuses to load; every tampering is refused. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "file.h"
#include "minisign.h"

static char dir[] = "/tmp/writ-test-minisign.XXXXXX";
static int have_minisign;

static const uint8_t msg[] = "[policy]\nrealm = prod\nserial = 42\n";
#define MSGLEN (sizeof(msg) - 1)
#define TC "timestamp:1795640000 file:policy.ini realm:prod serial:42"

/* dir/name into out. */
static const char *
in_dir(char *out, size_t len, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len ? out : "/nonexistent";
}

/* Runs a shell command (the real minisign), output discarded; 0 = ok. */
static int
sh(const char *fmt, ...)
{
	char cmd[2048], quiet[2100];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	snprintf(quiet, sizeof(quiet), "%s >/dev/null 2>&1", cmd);
	return system(quiet);
}

/* The whole file as a NUL-terminated string in out. */
static size_t
slurp(const char *path, char *out, size_t len)
{
	struct buf b;
	struct werr e;
	size_t n = 0;

	out[0] = '\0';
	if (file_read(path, len - 1, 0, &b, &e) == 0) {
		n = b.len;
		memcpy(out, b.data, n);
		out[n] = '\0';
		buf_free(&b);
	}
	return n;
}

static void
spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static int
no_passphrase(char *buf, size_t len, void *ctx)
{
	(void)buf;
	(void)len;
	(*(int *)ctx)++;
	return WRIT_EINVAL;
}

struct pass_ctx {
	const char *pass;
	int calls;
};

static int
give_passphrase(char *buf, size_t len, void *ctx)
{
	struct pass_ctx *pc = ctx;

	pc->calls++;
	if (strlen(pc->pass) >= len)
		return WRIT_ELIMIT;
	memcpy(buf, pc->pass, strlen(pc->pass) + 1);
	return 0;
}

/* Line `no` (1-based) of text: start and length. */
static char *
line_of(char *text, int no, size_t *len)
{
	char *p = text, *nl;

	while (--no > 0 && (nl = strchr(p, '\n')) != NULL)
		p = nl + 1;
	nl = strchr(p, '\n');
	*len = nl != NULL ? (size_t)(nl - p) : strlen(p);
	return p;
}

/* Flips one bit of byte `off` of the base64 line `no` of a signature text,
 * re-encoding the line, so the text still parses and only crypto can tell. */
static void
flip_b64(char *text, int no, size_t off)
{
	uint8_t raw[128];
	size_t len, rawlen = 0;
	char *line = line_of(text, no, &len), enc[200];

	if (sodium_base642bin(raw, sizeof(raw), line, len, NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || off >= rawlen)
		return;
	raw[off] ^= 1;
	sodium_bin2base64(enc, sizeof(enc), raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	if (strlen(enc) == len)
		memcpy(line, enc, len);
}

static int
verify_text(const char *text, const struct minisign_pub *pubs, size_t npub,
    struct werr *e)
{
	return minisign_verify(msg, MSGLEN, text, strlen(text), pubs, npub,
	    NULL, NULL, 0, e);
}

/* A fresh key pair and a signature of msg with TC. */
static int
signed_msg(struct minisign_pub *pub, char **text)
{
	struct minisign_sec *sec = NULL;
	struct werr e;
	int r;

	*text = NULL;
	if ((r = minisign_keypair(KEY_AUTHORITY, pub, &sec, &e)) == 0)
		r = minisign_sign(msg, MSGLEN, sec, TC, text, &e);
	minisign_sec_free(sec);
	return r;
}

static void
signs_and_verifies_round_trip(void)
{
	struct minisign_pub pubs[3];
	struct minisign_sec *other = NULL;
	char *text = NULL, tc[MINISIGN_COMMENT_MAX + 1];
	size_t which = 99;
	struct werr e;

	CHECK(minisign_keypair(KEY_AUTHORITY, &pubs[0], &other, &e) == 0);
	minisign_sec_free(other);
	CHECK(minisign_keypair(KEY_AUTHORITY, &pubs[2], &other, &e) == 0);
	minisign_sec_free(other);
	CHECK(signed_msg(&pubs[1], &text) == 0);
	CHECK(strncmp(text, "untrusted comment: ", 19) == 0);
	CHECK(minisign_verify(msg, MSGLEN, text, strlen(text), pubs, 3, &which,
	    tc, sizeof(tc), &e) == 0);
	CHECK(which == 1);
	CHECK_STR(tc, TC);
	free(text);
}

static void
signer_key_never_signs_or_verifies_a_file(void)
{
	struct minisign_pub pub, pubs[2];
	struct minisign_sec *sec = NULL;
	char *text = NULL;
	struct werr e;

	CHECK(minisign_keypair(KEY_SIGNER, &pub, &sec, &e) == 0);
	CHECK(minisign_sign(msg, MSGLEN, sec, TC, &text, &e) == WRIT_EINVAL);
	CHECK(text == NULL);
	CHECK_STR(e.msg, "is a signer key; policies are signed with an "
	    "authority key (writ keygen --authority)");
	minisign_sec_free(sec);
	/* Among trusted keys it is an error, not a skipped candidate. */
	CHECK(signed_msg(&pubs[0], &text) == 0);
	pubs[1] = pub;
	CHECK(verify_text(text, pubs, 1, &e) == 0);
	CHECK(verify_text(text, pubs, 2, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "trusted key: is a signer key") != NULL);
	/* The same Ed25519 key under the signer tag verifies nothing. */
	pubs[0].kind = KEY_SIGNER;
	CHECK(verify_text(text, pubs, 1, &e) == WRIT_EINVAL);
	free(text);
}

static void
refuses_empty_signature_and_key_files(void)
{
	struct minisign_sec *loaded = NULL;
	struct minisign_pub pub;
	char path[256];
	struct werr e;

	/* An empty .minisig reads as no bytes and maybe no buffer at all. */
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &loaded, &e) == 0);
	minisign_sec_free(loaded);
	loaded = NULL;
	CHECK(minisign_verify(msg, MSGLEN, NULL, 0, &pub, 1, NULL, NULL, 0,
	    &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "signature: the file is empty");
	CHECK(minisign_verify(msg, MSGLEN, "", 0, &pub, 1, NULL, NULL, 0,
	    &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "signature: the file is empty");
	in_dir(path, sizeof(path), "empty.key");
	spit(path, "", 0);
	CHECK(chmod(path, 0600) == 0);
	CHECK(minisign_pub_load(path, KEY_ANY, &pub, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "empty.key: not a key file (empty)") != NULL);
	CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(loaded == NULL);
	CHECK(strstr(e.msg, "empty.key: not a key file (empty)") != NULL);
}

static void
refuses_flipped_bit_in_message(void)
{
	struct minisign_pub pub;
	char *text = NULL;
	uint8_t copy[MSGLEN];
	struct werr e;
	size_t i;

	CHECK(signed_msg(&pub, &text) == 0);
	for (i = 0; i < MSGLEN; i += 7) {
		memcpy(copy, msg, MSGLEN);
		copy[i] ^= 0x10;
		CHECK(minisign_verify(copy, MSGLEN, text, strlen(text), &pub, 1,
		    NULL, NULL, 0, &e) == WRIT_ECRYPTO);
	}
	CHECK(strstr(e.msg, "signature does not verify") != NULL);
	free(text);
}

static void
refuses_flipped_bit_in_signature(void)
{
	struct minisign_pub pub;
	char *text = NULL, *orig = NULL;
	struct werr e;
	size_t off;

	CHECK(signed_msg(&pub, &orig) == 0);
	/* Bytes 10..73 of line 2 are the Ed25519 signature. */
	for (off = 10; off < 74; off += 9) {
		text = strdup(orig);
		flip_b64(text, 2, off);
		CHECK(strcmp(text, orig) != 0);
		CHECK(verify_text(text, &pub, 1, &e) == WRIT_ECRYPTO);
		CHECK(strstr(e.msg, "signature does not verify") != NULL);
		free(text);
	}
	free(orig);
}

static void
refuses_flipped_bit_in_trusted_comment(void)
{
	struct minisign_pub pub;
	char *text = NULL, *serial;
	struct werr e;

	CHECK(signed_msg(&pub, &text) == 0);
	CHECK((serial = strstr(text, "serial:42")) != NULL);
	serial[8] ^= 1;                 /* serial:43 */
	CHECK(verify_text(text, &pub, 1, &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "trusted comment signature does not verify") != NULL);
	free(text);
}

static void
refuses_flipped_bit_in_global_signature(void)
{
	struct minisign_pub pub;
	char *text = NULL, *orig = NULL;
	struct werr e;
	size_t off;

	CHECK(signed_msg(&pub, &orig) == 0);
	for (off = 0; off < 64; off += 7) {
		text = strdup(orig);
		flip_b64(text, 4, off);
		CHECK(strcmp(text, orig) != 0);
		CHECK(verify_text(text, &pub, 1, &e) == WRIT_ECRYPTO);
		CHECK(strstr(e.msg, "trusted comment signature") != NULL);
		free(text);
	}
	free(orig);
}

static void
refuses_wrong_key(void)
{
	struct minisign_pub pub, other;
	struct minisign_sec *sec = NULL;
	char *text = NULL;
	struct werr e;

	CHECK(signed_msg(&pub, &text) == 0);
	CHECK(minisign_keypair(KEY_AUTHORITY, &other, &sec, &e) == 0);
	minisign_sec_free(sec);
	CHECK(verify_text(text, &other, 1, &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "not one of the 1 trusted keys") != NULL);
	/* Same key id, other key: the id only picks, the key must verify. */
	memcpy(other.keynum, pub.keynum, sizeof(other.keynum));
	CHECK(verify_text(text, &other, 1, &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "signature does not verify") != NULL);
	CHECK(verify_text(text, NULL, 0, &e) == WRIT_ECRYPTO);
	free(text);
}

static void
refuses_truncated_signature_text(void)
{
	struct minisign_pub pub;
	char *text = NULL;
	struct werr e;
	size_t len, cut;

	CHECK(signed_msg(&pub, &text) == 0);
	len = strlen(text);
	/* Every cut fails but dropping the final newline, which is allowed. */
	for (cut = 0; cut < len - 1; cut++)
		CHECK(minisign_verify(msg, MSGLEN, text, cut, &pub, 1, NULL,
		    NULL, 0, &e) != 0);
	CHECK(minisign_verify(msg, MSGLEN, text, len - 1, &pub, 1, NULL, NULL,
	    0, &e) == 0);
	free(text);
}

static void
refuses_oversize_or_trailing_signature_text(void)
{
	struct minisign_pub pub;
	char *text = NULL, big[MINISIGN_SIGFILE_MAX + 200];
	struct werr e;
	size_t len;

	CHECK(signed_msg(&pub, &text) == 0);
	len = strlen(text);
	memcpy(big, text, len);
	memcpy(big + len, "\n", 2);
	CHECK(verify_text(big, &pub, 1, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "after line 4") != NULL);
	memcpy(big + len, "x", 2);
	CHECK(verify_text(big, &pub, 1, &e) == WRIT_EINVAL);
	memset(big + len, '\n', sizeof(big) - len);
	CHECK(minisign_verify(msg, MSGLEN, big, sizeof(big), &pub, 1, NULL,
	    NULL, 0, &e) == WRIT_ELIMIT);
	/* A NUL inside the text is never skipped over. */
	memcpy(big, text, len + 1);
	big[5] = '\0';
	CHECK(minisign_verify(msg, MSGLEN, big, len, &pub, 1, NULL, NULL, 0,
	    &e) == WRIT_EINVAL);
	free(text);
}

static void
refuses_malformed_comment_lines(void)
{
	struct minisign_pub pub;
	char *text = NULL, *copy;
	struct werr e;

	CHECK(signed_msg(&pub, &text) == 0);
	copy = strdup(text);
	copy[0] = 'U';                  /* "Untrusted comment: " */
	CHECK(verify_text(copy, &pub, 1, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "line 1") != NULL);
	free(copy);
	copy = strdup(text);
	*strstr(copy, "trusted comment: timestamp") = 'T';
	CHECK(verify_text(copy, &pub, 1, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "line 3") != NULL);
	free(copy);
	free(text);
}

static void
refuses_overlong_or_control_trusted_comment(void)
{
	struct minisign_pub pub;
	struct minisign_sec *sec = NULL;
	char tc[MINISIGN_COMMENT_MAX + 2], *text = NULL;
	struct werr e;

	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	memset(tc, 'a', sizeof(tc) - 1);
	tc[sizeof(tc) - 1] = '\0';      /* MAX + 1 bytes */
	CHECK(minisign_sign(msg, MSGLEN, sec, tc, &text, &e) == WRIT_ELIMIT);
	CHECK(text == NULL);
	tc[MINISIGN_COMMENT_MAX] = '\0';
	CHECK(minisign_sign(msg, MSGLEN, sec, tc, &text, &e) == 0);
	CHECK(verify_text(text, &pub, 1, &e) == 0);
	free(text);
	text = NULL;
	CHECK(minisign_sign(msg, MSGLEN, sec, "a\nb", &text, &e) == WRIT_EINVAL);
	CHECK(minisign_sign(msg, MSGLEN, sec, "a\033[2Jb", &text, &e) ==
	    WRIT_EINVAL);
	CHECK(minisign_sign(msg, MSGLEN, sec, "a\tb", &text, &e) == 0);
	free(text);
	minisign_sec_free(sec);
}

/* The .pub comment as minisign 0.11 writes it: "%lX", no leading zeros. */
static void
minisign_keyid_comment(const struct minisign_pub *pub, char *out, size_t len)
{
	char id[17];
	const char *p = id;

	minisign_keyid_hex(pub->keynum, id);
	while (*p == '0' && p[1] != '\0')
		p++;
	snprintf(out, len, "untrusted comment: minisign public key %s\n", p);
}

static void
key_id_matches_minisign_G(void)
{
	char pubp[256], secp[256], outp[256], text[4096], want[128], line[64];
	char id[17], cmd[1024], *p;
	struct minisign_pub pub;
	struct werr e;
	int i;

	CHECK(have_minisign);
	/* A few keys, so a key id with a leading zero digit turns up often. */
	for (i = 0; i < 4; i++) {
		in_dir(pubp, sizeof(pubp), "g.pub");
		in_dir(secp, sizeof(secp), "g.key");
		in_dir(outp, sizeof(outp), "g.out");
		unlink(pubp);
		unlink(secp);
		snprintf(cmd, sizeof(cmd), "minisign -G -W -p %s -s %s >%s",
		    pubp, secp, outp);
		CHECK(system(cmd) == 0);
		CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &pub, &e) == 0);
		slurp(pubp, text, sizeof(text));
		minisign_keyid_comment(&pub, want, sizeof(want));
		CHECK(strncmp(text, want, strlen(want)) == 0);
		minisign_keyid_hex(pub.keynum, id);
		CHECK(strlen(id) == 16);
		/* minisign -G prints "minisign -Vm <file> -P <public key line>". */
		slurp(outp, text, sizeof(text));
		CHECK(minisign_pub_line(&pub, line, sizeof(line)) == 0);
		CHECK((p = strstr(text, "-P ")) != NULL);
		CHECK(strncmp(p + 3, line, strlen(line)) == 0);
	}
}

static void
unencrypted_key_files_match_minisign_W_layout(void)
{
	char ours_pub[256], ours_sec[256], ms_pub[256], ms_sec[256];
	char a[1024], b[1024], want[128];
	uint8_t ra[200], rb[200];
	struct minisign_pub pub;
	struct minisign_sec *sec = NULL;
	struct werr e;
	size_t la = 0, lb = 0, l1a, l1b;
	struct stat st;

	CHECK(have_minisign);
	in_dir(ours_pub, sizeof(ours_pub), "ours.pub");
	in_dir(ours_sec, sizeof(ours_sec), "ours.key");
	in_dir(ms_pub, sizeof(ms_pub), "ms.pub");
	in_dir(ms_sec, sizeof(ms_sec), "ms.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(ours_pub, ours_sec, &pub, sec, NULL, 0,
	    &e) == 0);
	minisign_sec_free(sec);
	CHECK(sh("minisign -G -W -p %s -s %s", ms_pub, ms_sec) == 0);
	/* Secret key: same comment line, same length, same layout. */
	CHECK(slurp(ours_sec, a, sizeof(a)) == slurp(ms_sec, b, sizeof(b)));
	CHECK(strncmp(a, b, strchr(b, '\n') - b + 1) == 0);
	CHECK(a[strlen(a) - 1] == '\n' && b[strlen(b) - 1] == '\n');
	l1a = (size_t)(strchr(a, '\n') - a) + 1;
	l1b = (size_t)(strchr(b, '\n') - b) + 1;
	CHECK(sodium_base642bin(ra, sizeof(ra), a + l1a, strlen(a) - l1a - 1,
	    NULL, &la, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	CHECK(sodium_base642bin(rb, sizeof(rb), b + l1b, strlen(b) - l1b - 1,
	    NULL, &lb, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	CHECK(la == 158 && lb == 158);
	CHECK(memcmp(ra, rb, 54) == 0);         /* algs, salt, limits: zero */
	CHECK(memcmp(ra + 126, rb + 126, 32) == 0);     /* checksum: zero */
	/* Public key: minisign's comment, then the line, then a newline. */
	slurp(ours_pub, a, sizeof(a));
	minisign_keyid_comment(&pub, want, sizeof(want));
	CHECK(strncmp(a, want, strlen(want)) == 0);
	CHECK(strlen(a) == strlen(want) + 56 + 1 && a[strlen(a) - 1] == '\n');
	CHECK(stat(ours_sec, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(ours_pub, &st) == 0 && (st.st_mode & 0777) == 0644);
}

static void
minisign_verifies_our_signature_with_its_key(void)
{
	char pubp[256], secp[256], msgp[256], sigp[256];
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub, loaded;
	char *text = NULL;
	struct werr e;
	int calls = 0;

	CHECK(have_minisign);
	in_dir(pubp, sizeof(pubp), "v.pub");
	in_dir(secp, sizeof(secp), "v.key");
	in_dir(msgp, sizeof(msgp), "v.msg");
	in_dir(sigp, sizeof(sigp), "v.msg.minisig");
	CHECK(sh("minisign -G -W -p %s -s %s", pubp, secp) == 0);
	CHECK(minisign_sec_load(secp, KEY_AUTHORITY, no_passphrase, &calls,
	    &sec, &e) == 0);
	CHECK(calls == 0);              /* unencrypted: never asked */
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded, &e) == 0);
	minisign_sec_pub(sec, &pub);
	CHECK(memcmp(&pub, &loaded, sizeof(pub)) == 0);
	CHECK(minisign_sign(msg, MSGLEN, sec, TC, &text, &e) == 0);
	minisign_sec_free(sec);
	spit(msgp, msg, MSGLEN);
	spit(sigp, text, strlen(text));
	free(text);
	CHECK(sh("minisign -V -p %s -m %s", pubp, msgp) == 0);
	spit(msgp, "tampered", 8);
	CHECK(sh("minisign -V -p %s -m %s", pubp, msgp) != 0);
}

static void
verifies_minisign_S_signature_and_refuses_legacy(void)
{
	char pubp[256], secp[256], msgp[256], sigp[256], text[4096];
	char tc[MINISIGN_COMMENT_MAX + 1];
	struct minisign_pub pub;
	struct werr e;

	CHECK(have_minisign);
	in_dir(pubp, sizeof(pubp), "s.pub");
	in_dir(secp, sizeof(secp), "s.key");
	in_dir(msgp, sizeof(msgp), "s.msg");
	in_dir(sigp, sizeof(sigp), "s.msg.minisig");
	spit(msgp, msg, MSGLEN);
	CHECK(sh("minisign -G -W -p %s -s %s", pubp, secp) == 0);
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &pub, &e) == 0);
	CHECK(sh("minisign -S -s %s -m %s -t 'realm:prod serial:42'", secp,
	    msgp) == 0);
	slurp(sigp, text, sizeof(text));
	CHECK(minisign_verify(msg, MSGLEN, text, strlen(text), &pub, 1, NULL,
	    tc, sizeof(tc), &e) == 0);
	CHECK_STR(tc, "realm:prod serial:42");
	CHECK(minisign_verify(msg, MSGLEN - 1, text, strlen(text), &pub, 1,
	    NULL, NULL, 0, &e) == WRIT_ECRYPTO);
	/* minisign -l: the legacy "Ed" format, signing the file itself. */
	CHECK(sh("minisign -S -l -s %s -m %s", secp, msgp) == 0);
	CHECK(sh("minisign -V -p %s -m %s", pubp, msgp) == 0);
	slurp(sigp, text, sizeof(text));
	CHECK(verify_text(text, &pub, 1, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "legacy") != NULL);
}

/* BLAKE2b-256 over raw's tags (the first 2, or with tagged all 6 bytes),
 * keynum and sk: the checksum of either kind, computed independently. */
static void
key_checksum(const uint8_t raw[158], int tagged, uint8_t out[32])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, 32);
	crypto_generichash_update(&hs, raw, tagged ? 6 : 2);
	crypto_generichash_update(&hs, raw + 54, 72);
	crypto_generichash_final(&hs, out, 32);
}

/* A secret key file made here with the six tag bytes `tags` and given
 * scrypt limits (pass NULL: unencrypted, limits zero): an independent
 * writer of both formats (cheap limits keep the test fast). */
static void
write_key_file(const char *path, const struct minisign_sec *sec,
    const char *tags, int tagged, const char *pass, uint64_t ops,
    uint64_t mem)
{
	uint8_t raw[158], stream[104];
	char text[512];
	size_t i, n;

	memset(raw, 0, sizeof(raw));
	memcpy(raw, tags, 6);
	if (pass != NULL)
		randombytes_buf(raw + 6, 32);
	for (i = 0; i < 8; i++) {
		raw[38 + i] = (uint8_t)(ops >> (8 * i));
		raw[46 + i] = (uint8_t)(mem >> (8 * i));
	}
	memcpy(raw + 54, sec->keynum, 8);
	memcpy(raw + 62, sec->sk, 64);
	key_checksum(raw, tagged, raw + 126);
	if (pass != NULL && mem <= MINISIGN_KDF_MEMLIMIT_MAX) {
		if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream),
		    pass, strlen(pass), raw + 6, ops, mem) != 0)
			return;
		for (i = 0; i < sizeof(stream); i++)
			raw[54 + i] ^= stream[i];
	}
	memcpy(text, "untrusted comment: test key\n", 28);
	/* (the comment is free text in both formats) */
	sodium_bin2base64(text + 28, sizeof(text) - 28, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	n = strlen(text);
	text[n] = '\n';
	spit(path, text, n + 1);
	chmod(path, 0600);
}

/* A minisign encrypted key. */
static void
write_encrypted_key(const char *path, const struct minisign_sec *sec,
    const char *pass, uint64_t ops, uint64_t mem)
{
	write_key_file(path, sec, "EdScB2", 0, pass, ops, mem);
}

static void
decrypts_key_and_refuses_wrong_passphrase(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub pub;
	struct pass_ctx pc = { "correct horse", 0 };
	char path[256];
	struct werr e;

	in_dir(path, sizeof(path), "enc.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	write_encrypted_key(path, sec,
	    "correct horse", crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
	CHECK(minisign_sec_load(path, KEY_AUTHORITY, give_passphrase, &pc,
	    &loaded, &e) == 0);
	CHECK(pc.calls == 1);
	CHECK(memcmp(loaded->sk, sec->sk, sizeof(sec->sk)) == 0);
	CHECK(memcmp(loaded->keynum, sec->keynum, sizeof(sec->keynum)) == 0);
	minisign_sec_free(loaded);
	loaded = NULL;
	pc.pass = "correct horsf";
	CHECK(minisign_sec_load(path, KEY_AUTHORITY, give_passphrase, &pc,
	    &loaded, &e) == WRIT_ECRYPTO);
	CHECK(loaded == NULL);
	CHECK(strstr(e.msg, "wrong passphrase or corrupt key") != NULL);
	CHECK(strstr(e.msg, path) != NULL);
	CHECK(minisign_sec_load(path, KEY_AUTHORITY, NULL, NULL, &loaded,
	    &e) != 0);
	minisign_sec_free(sec);
}

static void
refuses_hostile_kdf_limits_before_asking(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub pub;
	struct pass_ctx pc = { "x", 0 };
	char path[256];
	struct werr e;

	in_dir(path, sizeof(path), "hostile.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	write_encrypted_key(path, sec, "x", 1024,
	    100ULL * 1024 * 1024 * 1024);       /* 100 GiB */
	CHECK(minisign_sec_load(path, KEY_AUTHORITY, give_passphrase, &pc,
	    &loaded, &e) == WRIT_ELIMIT);
	CHECK(pc.calls == 0 && loaded == NULL);
	CHECK(strstr(e.msg, "limits too high") != NULL);
	write_encrypted_key(path, sec, "x", MINISIGN_KDF_OPSLIMIT_MAX * 2,
	    100ULL * 1024 * 1024 * 1024);
	CHECK(minisign_sec_load(path, KEY_AUTHORITY, give_passphrase, &pc,
	    &loaded, &e) == WRIT_ELIMIT);
	CHECK(pc.calls == 0);
	minisign_sec_free(sec);
}

static void
refuses_group_readable_secret_key(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub pub;
	char pubp[256], secp[256];
	struct werr e;

	in_dir(pubp, sizeof(pubp), "mode.pub");
	in_dir(secp, sizeof(secp), "mode.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	CHECK(chmod(secp, 0640) == 0);
	CHECK(minisign_sec_load(secp, KEY_AUTHORITY, NULL, NULL, &loaded,
	    &e) != 0);
	CHECK(loaded == NULL);
	CHECK(strstr(e.msg, secp) != NULL);
	CHECK(chmod(secp, 0600) == 0);
	CHECK(minisign_sec_load(secp, KEY_AUTHORITY, NULL, NULL, &loaded,
	    &e) == 0);
	minisign_sec_free(loaded);
}

static void
refuses_corrupt_unencrypted_key(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub pub;
	char pubp[256], secp[256], text[1024], *line;
	uint8_t raw[200];
	size_t rawlen = 0, len;
	struct werr e;

	in_dir(pubp, sizeof(pubp), "corrupt.pub");
	in_dir(secp, sizeof(secp), "corrupt.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	slurp(secp, text, sizeof(text));
	line = line_of(text, 2, &len);
	CHECK(sodium_base642bin(raw, sizeof(raw), line, len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) == 0 && rawlen == 158);
	raw[100] ^= 4;                  /* in the public half of sk */
	sodium_bin2base64(line, len + 1, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	line[len] = '\n';
	spit(secp, text, strlen(text));
	CHECK(minisign_sec_load(secp, KEY_AUTHORITY, NULL, NULL, &loaded,
	    &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "corrupt key") != NULL);
	/* A checksum that is set must match, even on an unencrypted key. */
	raw[100] ^= 4;
	raw[130] ^= 1;
	sodium_bin2base64(line, len + 1, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	line[len] = '\n';
	spit(secp, text, strlen(text));
	CHECK(minisign_sec_load(secp, KEY_AUTHORITY, NULL, NULL, &loaded,
	    &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "checksum") != NULL);
}

static void
keypair_write_refuses_to_overwrite(void)
{
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub, loaded;
	char pubp[256], secp[256], before[1024], after[1024];
	struct werr e;

	in_dir(pubp, sizeof(pubp), "ow.pub");
	in_dir(secp, sizeof(secp), "ow.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	slurp(secp, before, sizeof(before));
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) != 0);
	CHECK(strstr(e.msg, "already exists") != NULL);
	slurp(secp, after, sizeof(after));
	CHECK_STR(after, before);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, "", 1, &e) ==
	    WRIT_EINVAL);          /* empty passphrase */
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 1, &e) == 0);
	minisign_sec_free(sec);
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded, &e) == 0);
	CHECK(memcmp(&loaded, &pub, sizeof(pub)) == 0);
	slurp(secp, after, sizeof(after));
	CHECK(strcmp(after, before) != 0);
}

static void
pub_load_refuses_malformed_files(void)
{
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub, loaded;
	char pubp[256], secp[256], text[512], bad[600];
	struct werr e;
	size_t len;

	in_dir(pubp, sizeof(pubp), "pl.pub");
	in_dir(secp, sizeof(secp), "pl.key");
	CHECK(minisign_keypair(KEY_AUTHORITY, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	len = slurp(pubp, text, sizeof(text));
	snprintf(bad, sizeof(bad), "%sextra\n", text);
	spit(pubp, bad, strlen(bad));
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded,
	    &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, ":3:") != NULL);
	spit(pubp, text + 19, len - 19);        /* no "untrusted comment: " */
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded,
	    &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, ":1:") != NULL);
	spit(pubp, text, len - 5);              /* cut key line */
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded,
	    &e) == WRIT_EINVAL);
	spit(pubp, text, len - 1);              /* no final newline: fine */
	CHECK(minisign_pub_load(pubp, KEY_AUTHORITY, &loaded, &e) == 0);
	CHECK(minisign_pub_load(secp, KEY_AUTHORITY, &loaded,
	    &e) == WRIT_EINVAL);
}

/* The signer tags: alg C2 BB, kdf "WS" (scrypt) or "WN", chk "WB". */
#define SIGNER_TAGS_ENC "\xc2\xbbWSWB"
#define SIGNER_TAGS_OPEN "\xc2\xbbWNWB"

static void
signer_key_files_are_writs_own_layout(void)
{
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub;
	char pubp[256], secp[256], text[1024], want[128], id[17], *line;
	uint8_t raw[200], chk[32];
	size_t rawlen = 0, len;
	const char *p = id;
	struct werr e;

	in_dir(pubp, sizeof(pubp), "lay.pub");
	in_dir(secp, sizeof(secp), "lay.key");
	CHECK(minisign_keypair(KEY_SIGNER, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	/* Public key: the writ comment, then the line, "wr..." */
	slurp(pubp, text, sizeof(text));
	minisign_keyid_hex(pub.keynum, id);
	while (*p == '0' && p[1] != '\0')
		p++;
	snprintf(want, sizeof(want), "untrusted comment: writ signer public "
	    "key %s\nwr", p);
	CHECK(strncmp(text, want, strlen(want)) == 0);
	line = line_of(text, 2, &len);
	CHECK(len == 56);
	CHECK(sodium_base642bin(raw, sizeof(raw), line, len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) == 0 && rawlen == 42);
	CHECK(raw[0] == 0xC2 && raw[1] == 0xBB);
	CHECK(memcmp(raw + 2, pub.keynum, 8) == 0);
	CHECK(memcmp(raw + 10, pub.pk, 32) == 0);
	/* Secret key: writ's tags, zero salt and limits, and a checksum over
	 * the tags, key id and key even though it is unencrypted. */
	slurp(secp, text, sizeof(text));
	CHECK(strncmp(text, "untrusted comment: writ signer secret key\nwr",
	    44) == 0);
	line = line_of(text, 2, &len);
	CHECK(sodium_base642bin(raw, sizeof(raw), line, len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) == 0 && rawlen == 158);
	CHECK(memcmp(raw, SIGNER_TAGS_OPEN, 6) == 0);
	CHECK(sodium_is_zero(raw + 6, 48));
	CHECK(memcmp(raw + 54, pub.keynum, 8) == 0);
	CHECK(memcmp(raw + 62 + 32, pub.pk, 32) == 0);
	key_checksum(raw, 1, chk);
	CHECK(memcmp(raw + 126, chk, 32) == 0);
}

static void
minisign_refuses_signer_keys(void)
{
	char pubp[256], secp[256], encp[256], msgp[256], outp[256];
	char out[4096], line[MINISIGN_PUBLINE_MAX + 1];
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub;
	struct werr e;

	CHECK(have_minisign);
	in_dir(pubp, sizeof(pubp), "ms-signer.pub");
	in_dir(secp, sizeof(secp), "ms-signer.key");
	in_dir(encp, sizeof(encp), "ms-signer-enc.key");
	in_dir(msgp, sizeof(msgp), "ms-signer.msg");
	in_dir(outp, sizeof(outp), "ms-signer.out");
	CHECK(minisign_keypair(KEY_SIGNER, &pub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(pubp, secp, &pub, sec, NULL, 0, &e) == 0);
	write_key_file(encp, sec, SIGNER_TAGS_ENC, 1, "pw",
	    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
	minisign_sec_free(sec);
	spit(msgp, msg, MSGLEN);
	/* Prehashed and legacy signing, unencrypted and encrypted keys: the
	 * key is refused before anything is signed or a password asked. */
	CHECK(sh("echo pw | (minisign -S -s %s -m %s 2>%s)", secp, msgp,
	    outp) != 0);
	slurp(outp, out, sizeof(out));
	CHECK(strstr(out, "Unsupported signature algorithm") != NULL);
	CHECK(sh("echo pw | minisign -S -l -s %s -m %s", secp, msgp) != 0);
	CHECK(sh("echo pw | minisign -S -s %s -m %s", encp, msgp) != 0);
	CHECK(sh("echo pw | minisign -S -l -s %s -m %s", encp, msgp) != 0);
	CHECK(access(msgp, F_OK) == 0);
	in_dir(outp, sizeof(outp), "ms-signer.msg.minisig");
	CHECK(access(outp, F_OK) != 0);
	/* Verifying: the .pub file and the line given with -P. */
	CHECK(minisign_pub_line(&pub, line, sizeof(line)) == 0);
	in_dir(outp, sizeof(outp), "ms-signer.out");
	CHECK(sh("(minisign -V -p %s -m %s -x /dev/null 2>%s)", pubp, msgp,
	    outp) != 0);
	slurp(outp, out, sizeof(out));
	CHECK(strstr(out, "Unsupported signature algorithm") != NULL);
	CHECK(sh("(minisign -V -P %s -m %s -x /dev/null 2>%s)", line, msgp,
	    outp) != 0);
	slurp(outp, out, sizeof(out));
	CHECK(strstr(out, "Unsupported signature algorithm") != NULL);
}

static void
signer_and_authority_keys_do_not_load_as_each_other(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub spub, apub, loaded_pub;
	struct pass_ctx pc = { "pw", 0 };
	char sp[256], ss[256], ap[256], as[256], enc[256];
	char sline[MINISIGN_PUBLINE_MAX + 1], aline[MINISIGN_PUBLINE_MAX + 1];
	struct werr e;

	in_dir(sp, sizeof(sp), "kind-s.pub");
	in_dir(ss, sizeof(ss), "kind-s.key");
	in_dir(ap, sizeof(ap), "kind-a.pub");
	in_dir(as, sizeof(as), "kind-a.key");
	in_dir(enc, sizeof(enc), "kind-enc.key");
	CHECK(minisign_keypair(KEY_SIGNER, &spub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(sp, ss, &spub, sec, NULL, 0, &e) == 0);
	write_key_file(enc, sec, SIGNER_TAGS_ENC, 1, "pw",
	    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
	minisign_sec_free(sec);
	CHECK(minisign_keypair(KEY_AUTHORITY, &apub, &sec, &e) == 0);
	CHECK(minisign_keypair_write(ap, as, &apub, sec, NULL, 0, &e) == 0);
	minisign_sec_free(sec);
	/* Each loads as its own kind and as either ... */
	CHECK(minisign_sec_load(ss, KEY_SIGNER, NULL, NULL, &loaded, &e) == 0);
	CHECK(loaded->kind == KEY_SIGNER);
	minisign_sec_free(loaded);
	CHECK(minisign_sec_load(as, KEY_ANY, NULL, NULL, &loaded, &e) == 0);
	CHECK(loaded->kind == KEY_AUTHORITY);
	minisign_sec_free(loaded);
	loaded = NULL;
	CHECK(minisign_pub_load(sp, KEY_ANY, &loaded_pub, &e) == 0);
	CHECK(memcmp(&loaded_pub, &spub, sizeof(spub)) == 0);
	/* ... never as the other, and an encrypted one is refused before
	 * its passphrase is asked for. */
	CHECK(minisign_sec_load(ss, KEY_AUTHORITY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "kind-s.key: is a signer key; policies are signed "
	    "with an authority key (writ keygen --authority)") != NULL);
	CHECK(minisign_sec_load(enc, KEY_AUTHORITY, give_passphrase, &pc,
	    &loaded, &e) == WRIT_EINVAL);
	CHECK(pc.calls == 0 && loaded == NULL);
	CHECK(minisign_sec_load(as, KEY_SIGNER, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "kind-a.key: is a minisign (authority) key; "
	    "requests are signed with a signer key (writ keygen NAME)") !=
	    NULL);
	CHECK(minisign_pub_load(sp, KEY_AUTHORITY, &loaded_pub, &e) ==
	    WRIT_EINVAL);
	CHECK(minisign_pub_load(ap, KEY_SIGNER, &loaded_pub, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "kind-a.pub: is a minisign (authority) key") !=
	    NULL);
	CHECK(minisign_pub_line(&spub, sline, sizeof(sline)) == 0);
	CHECK(minisign_pub_line(&apub, aline, sizeof(aline)) == 0);
	CHECK(strncmp(sline, "wr", 2) == 0 && strncmp(aline, "RW", 2) == 0);
	CHECK(minisign_pub_parse_line(sline, KEY_SIGNER, &loaded_pub, &e) == 0);
	CHECK(minisign_pub_parse_line(aline, KEY_SIGNER, &loaded_pub, &e) ==
	    WRIT_EINVAL);
	CHECK(minisign_pub_parse_line(sline, KEY_AUTHORITY, &loaded_pub,
	    &e) == WRIT_EINVAL);
	CHECK(minisign_pub_parse_line(aline, KEY_ANY, &loaded_pub, &e) == 0);
	CHECK(loaded_pub.kind == KEY_AUTHORITY);
}

static void
decrypts_signer_key_and_checks_its_tags(void)
{
	struct minisign_sec *sec = NULL, *loaded = NULL;
	struct minisign_pub pub;
	struct pass_ctx pc = { "pw", 0 };
	char path[256];
	struct werr e;

	in_dir(path, sizeof(path), "senc.key");
	CHECK(minisign_keypair(KEY_SIGNER, &pub, &sec, &e) == 0);
	write_key_file(path, sec, SIGNER_TAGS_ENC, 1, "pw",
	    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
	CHECK(minisign_sec_load(path, KEY_SIGNER, give_passphrase, &pc,
	    &loaded, &e) == 0);
	CHECK(pc.calls == 1 && loaded->kind == KEY_SIGNER);
	CHECK(memcmp(loaded->sk, sec->sk, sizeof(sec->sk)) == 0);
	minisign_sec_free(loaded);
	loaded = NULL;
	pc.pass = "pv";
	CHECK(minisign_sec_load(path, KEY_SIGNER, give_passphrase, &pc,
	    &loaded, &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "wrong passphrase or corrupt key") != NULL);
	/* minisign's checksum (over the alg tag alone) is not a signer key's:
	 * what rsign2 would accept, writ refuses, and the reverse. */
	pc.pass = "pw";
	write_key_file(path, sec, SIGNER_TAGS_ENC, 0, "pw",
	    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
	    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
	CHECK(minisign_sec_load(path, KEY_SIGNER, give_passphrase, &pc,
	    &loaded, &e) == WRIT_ECRYPTO);
	/* Unencrypted, the checksum is still required. */
	write_key_file(path, sec, SIGNER_TAGS_OPEN, 1, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_SIGNER, NULL, NULL, &loaded,
	    &e) == 0);
	minisign_sec_free(loaded);
	loaded = NULL;
	write_key_file(path, sec, SIGNER_TAGS_OPEN, 0, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_SIGNER, NULL, NULL, &loaded,
	    &e) == WRIT_ECRYPTO);
	CHECK(strstr(e.msg, "checksum does not match") != NULL);
	/* Tags of the two kinds never mix. */
	write_key_file(path, sec, "\xc2\xbbScWB", 1, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "unsupported key derivation for a signer key") !=
	    NULL);
	write_key_file(path, sec, "\xc2\xbbWNB2", 1, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "unsupported checksum algorithm") != NULL);
	write_key_file(path, sec, "EdWNB2", 0, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "for an authority key") != NULL);
	write_key_file(path, sec, "XyWNWB", 1, NULL, 0, 0);
	CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &loaded, &e) ==
	    WRIT_EINVAL);
	CHECK(strstr(e.msg, "neither a writ signer key nor") != NULL);
	CHECK(loaded == NULL);
	minisign_sec_free(sec);
}

int
main(void)
{
	char cmd[256];

	check_init();
	if (mkdtemp(dir) == NULL) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	/* minisign is a build dependency (.ci/deps): without it these fail. */
	have_minisign = system("minisign -v >/dev/null 2>&1") == 0;
	RUN(signs_and_verifies_round_trip);
	RUN(refuses_flipped_bit_in_message);
	RUN(signer_key_never_signs_or_verifies_a_file);
	RUN(refuses_empty_signature_and_key_files);
	RUN(refuses_flipped_bit_in_signature);
	RUN(refuses_flipped_bit_in_trusted_comment);
	RUN(refuses_flipped_bit_in_global_signature);
	RUN(refuses_wrong_key);
	RUN(refuses_truncated_signature_text);
	RUN(refuses_oversize_or_trailing_signature_text);
	RUN(refuses_malformed_comment_lines);
	RUN(refuses_overlong_or_control_trusted_comment);
	RUN(key_id_matches_minisign_G);
	RUN(unencrypted_key_files_match_minisign_W_layout);
	RUN(minisign_verifies_our_signature_with_its_key);
	RUN(verifies_minisign_S_signature_and_refuses_legacy);
	RUN(decrypts_key_and_refuses_wrong_passphrase);
	RUN(refuses_hostile_kdf_limits_before_asking);
	RUN(refuses_group_readable_secret_key);
	RUN(refuses_corrupt_unencrypted_key);
	RUN(keypair_write_refuses_to_overwrite);
	RUN(pub_load_refuses_malformed_files);
	RUN(signer_key_files_are_writs_own_layout);
	RUN(minisign_refuses_signer_keys);
	RUN(signer_and_authority_keys_do_not_load_as_each_other);
	RUN(decrypts_signer_key_and_checks_its_tags);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return check_done();
}
