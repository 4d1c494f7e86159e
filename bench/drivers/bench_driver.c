/* bench_driver.c -- the benchmark device "Bench" as a plain C INDI stdio driver.
 *
 * This is the libindi peer's driver: indiserver runs it with stdin/stdout
 * connected to the server.  It serves the same device as
 * bench/drivers/indiflask_app.py and bench/drivers/indipy_bench.py:
 *
 *   FLOOD    switch (GO)        on a change: BENCH_N x setNumberVector FLOODED, then an ack
 *   FLOODED  number (V)         read-only, the fan-out payload
 *   ECHO     number (X)         on a change: setNumberVector ECHO with the value
 *   BLOB_GO  switch (GO)        on a change: BENCH_BLOB_COUNT x setBLOBVector IMAGE
 *   IMAGE    BLOB (DATA)        BENCH_BLOB_SIZE random bytes (made on first use),
 *                               base64-encoded per send
 *   P00..P49 number (A,B,C,D)   read-only, for the connect storm
 *
 * Output goes through a fully buffered stdout that is flushed after each batch
 * of input, so the peer is not handicapped by a write per message.  The input
 * scanner understands just what indiserver forwards (getProperties and new*
 * vectors, double or single quoted attributes); it is a benchmark driver, not
 * a general INDI parser.
 *
 * Build: cc -O2 -o bench_driver bench_driver.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* BENCH_DEVICE and BENCH_PROPS (W7 runs many drivers) may change these. */
static const char *dev = "Bench";
static int nprops = 50;

static long flood_n = 20000;
static long blob_count = 8;
static size_t blob_size = 16u << 20;
static unsigned char *blob_data;
static char *blob_b64;
static double echo_x;

static const char *stamp(void)
{
    static time_t last = (time_t)-1;
    static char text[32];
    time_t now = time(NULL);
    struct tm tm;

    if (now != last) {
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
        last = now;
    }
    return text;
}

static size_t base64(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0, o = 0;

    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

static void define_all(void)
{
    const char *ts = stamp();
    int p;

    printf("<defSwitchVector device=\"%s\" name=\"FLOOD\" label=\"Flood\" group=\"Bench\""
           " state=\"Idle\" perm=\"rw\" rule=\"AtMostOne\" timeout=\"0\" timestamp=\"%s\">"
           "<defSwitch name=\"GO\" label=\"GO\">Off</defSwitch></defSwitchVector>\n", dev, ts);
    printf("<defNumberVector device=\"%s\" name=\"FLOODED\" label=\"Flooded\" group=\"Bench\""
           " state=\"Idle\" perm=\"ro\" timeout=\"0\" timestamp=\"%s\"><defNumber name=\"V\""
           " label=\"V\" format=\"%%g\" min=\"0\" max=\"0\" step=\"0\">0</defNumber>"
           "</defNumberVector>\n", dev, ts);
    printf("<defNumberVector device=\"%s\" name=\"ECHO\" label=\"Echo\" group=\"Bench\""
           " state=\"Idle\" perm=\"rw\" timeout=\"0\" timestamp=\"%s\"><defNumber name=\"X\""
           " label=\"X\" format=\"%%g\" min=\"0\" max=\"0\" step=\"0\">%.17g</defNumber>"
           "</defNumberVector>\n", dev, ts, echo_x);
    printf("<defSwitchVector device=\"%s\" name=\"BLOB_GO\" label=\"Send BLOBs\""
           " group=\"Bench\" state=\"Idle\" perm=\"rw\" rule=\"AtMostOne\" timeout=\"0\""
           " timestamp=\"%s\"><defSwitch name=\"GO\" label=\"GO\">Off</defSwitch>"
           "</defSwitchVector>\n", dev, ts);
    printf("<defBLOBVector device=\"%s\" name=\"IMAGE\" label=\"Image\" group=\"Bench\""
           " state=\"Idle\" perm=\"ro\" timeout=\"0\" timestamp=\"%s\"><defBLOB name=\"DATA\""
           " label=\"DATA\"/></defBLOBVector>\n", dev, ts);
    for (p = 0; p < nprops; p++) {
        printf("<defNumberVector device=\"%s\" name=\"P%02d\" label=\"P%02d\""
               " group=\"Storm\" state=\"Idle\" perm=\"ro\" timeout=\"0\" timestamp=\"%s\">", dev,
               p, p, ts);
        for (int m = 0; m < 4; m++)
            printf("<defNumber name=\"%c\" label=\"%c\" format=\"%%.3f\" min=\"0\" max=\"0\""
                   " step=\"0\">%d</defNumber>", 'A' + m, 'A' + m, p * 4 + m);
        printf("</defNumberVector>\n");
    }
}

static void flood(void)
{
    for (long i = 0; i < flood_n; i++)
        printf("<setNumberVector device=\"%s\" name=\"FLOODED\" state=\"Ok\" timeout=\"0\""
               " timestamp=\"%s\"><oneNumber name=\"V\">%ld</oneNumber></setNumberVector>\n", dev,
               stamp(), i);
    printf("<setSwitchVector device=\"%s\" name=\"FLOOD\" state=\"Ok\" timeout=\"0\""
           " timestamp=\"%s\"><oneSwitch name=\"GO\">Off</oneSwitch></setSwitchVector>\n", dev,
           stamp());
}

static void send_blobs(void)
{
    if (blob_data == NULL) { /* made on first use, so W4/W5 memory is not inflated */
        blob_data = malloc(blob_size + 1);
        blob_b64 = malloc(blob_size / 3 * 4 + 8);
        if (blob_data == NULL || blob_b64 == NULL)
            exit(1);
        srand(42);
        for (size_t i = 0; i < blob_size; i++)
            blob_data[i] = (unsigned char)(rand() >> 7);
    }
    for (long i = 0; i < blob_count; i++) {
        size_t n = base64(blob_data, blob_size, blob_b64);
        printf("<setBLOBVector device=\"%s\" name=\"IMAGE\" state=\"Ok\" timeout=\"0\""
               " timestamp=\"%s\"><oneBLOB name=\"DATA\" size=\"%zu\" format=\".bin\">", dev,
               stamp(), blob_size);
        fwrite(blob_b64, 1, n, stdout);
        printf("</oneBLOB></setBLOBVector>\n");
    }
    printf("<setSwitchVector device=\"%s\" name=\"BLOB_GO\" state=\"Ok\" timeout=\"0\""
           " timestamp=\"%s\"><oneSwitch name=\"GO\">Off</oneSwitch></setSwitchVector>\n", dev,
           stamp());
}

/* The value of attribute `attr` in the start tag [tag, end), copied into out. */
static int attribute(const char *tag, const char *end, const char *attr, char *out, size_t cap)
{
    size_t alen = strlen(attr);

    for (const char *p = tag + 1; p + alen + 2 < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && memcmp(p, attr, alen) == 0 &&
            p[alen] == '=' && (p[alen + 1] == '"' || p[alen + 1] == '\'')) {
            char quote = p[alen + 1];
            const char *v = p + alen + 2, *q = memchr(v, quote, (size_t)(end - v));
            size_t n = q ? (size_t)(q - v) : 0;

            if (q == NULL || n + 1 > cap)
                return 0;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static void handle(const char *el, size_t len, const char *tag_end)
{
    char device[64] = "", name[64] = "";
    int has_device = attribute(el, tag_end, "device", device, sizeof device);

    attribute(el, tag_end, "name", name, sizeof name);
    if (has_device && strcmp(device, dev) != 0)
        return;
    if (strncmp(el, "<getProperties", 14) == 0) {
        define_all();
    } else if (strncmp(el, "<newSwitchVector", 16) == 0) {
        if (strcmp(name, "FLOOD") == 0)
            flood();
        else if (strcmp(name, "BLOB_GO") == 0)
            send_blobs();
    } else if (strncmp(el, "<newNumberVector", 16) == 0 && strcmp(name, "ECHO") == 0) {
        const char *one = strstr(tag_end, "<oneNumber");
        const char *gt = one ? strchr(one, '>') : NULL;

        if (gt != NULL && gt < el + len)
            echo_x = strtod(gt + 1, NULL);
        printf("<setNumberVector device=\"%s\" name=\"ECHO\" state=\"Ok\" timeout=\"0\""
               " timestamp=\"%s\"><oneNumber name=\"X\">%.17g</oneNumber></setNumberVector>\n", dev,
               stamp(), echo_x);
    }
}

/* Handle every complete element in buf[0, n); return how many bytes were used. */
static size_t scan(char *buf, size_t n)
{
    size_t pos = 0;

    buf[n] = '\0';
    for (;;) {
        char *lt = memchr(buf + pos, '<', n - pos), *gt, *close;
        char tagname[64], closing[72];
        size_t k = 0;

        if (lt == NULL)
            return n;
        gt = memchr(lt, '>', (size_t)(buf + n - lt));
        if (gt == NULL)
            return (size_t)(lt - buf);
        if (lt[1] == '?' || lt[1] == '!' || lt[1] == '/') {
            pos = (size_t)(gt + 1 - buf);
            continue;
        }
        while (k + 1 < sizeof tagname && lt + 1 + k < gt && lt[1 + k] != ' ' &&
               lt[1 + k] != '/' && lt[1 + k] != '\t' && lt[1 + k] != '\n')
            tagname[k] = lt[1 + k], k++;
        tagname[k] = '\0';
        if (gt[-1] == '/') {
            close = gt + 1;
        } else {
            snprintf(closing, sizeof closing, "</%s>", tagname);
            close = strstr(gt, closing);
            if (close == NULL)
                return (size_t)(lt - buf);
            close += strlen(closing);
        }
        handle(lt, (size_t)(close - lt), gt);
        pos = (size_t)(close - buf);
    }
}

int main(void)
{
    size_t cap = 1 << 20, used = 0;
    char *buf = malloc(cap + 1);
    const char *env;

    if ((env = getenv("BENCH_N")) != NULL)
        flood_n = atol(env);
    if ((env = getenv("BENCH_BLOB_COUNT")) != NULL)
        blob_count = atol(env);
    if ((env = getenv("BENCH_BLOB_SIZE")) != NULL)
        blob_size = (size_t)atol(env);
    if ((env = getenv("BENCH_DEVICE")) != NULL && *env && strlen(env) < 60)
        dev = env;
    if ((env = getenv("BENCH_PROPS")) != NULL)
        nprops = atoi(env);
    if (buf == NULL)
        return 1;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    for (;;) {
        ssize_t got;
        size_t done;

        if (used == cap) {
            cap *= 2;
            if ((buf = realloc(buf, cap + 1)) == NULL)
                return 1;
        }
        got = read(0, buf + used, cap - used);
        if (got <= 0)
            return 0;
        used += (size_t)got;
        done = scan(buf, used);
        memmove(buf, buf + done, used - done);
        used -= done;
        fflush(stdout);
    }
}
