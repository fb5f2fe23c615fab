package child_test

import (
	"io"
	"regexp"
	"strings"
	"testing"
)

const autoindexConf = `<Directory htdocs/list>
    Options +Indexes
    IndexIgnore *.bak .??*
    IndexOptions FancyIndexing HTMLTable VersionSort FoldersFirst SuppressSize Charset=ISO-8859-1
    HeaderName HEADER.html
    ReadmeName README.txt
</Directory>
<Directory htdocs/list/sub>
    IndexIgnoreReset On
    IndexIgnore *.tmp
    IndexOptions -FoldersFirst
</Directory>
AddIcon /icons/text.gif .txt
ServerSignature On
`

// listedName matches an entry's link: not the parent's (an absolute path)
// and not a sort link (a query).
var listedName = regexp.MustCompile(`<a href="[^/?"][^"]*">([^<]*)</a>`)

// TestAutoindexDirectives: IndexIgnore (inherited, and reset), the
// IndexOptions eventmpm's listings honour (VersionSort, FoldersFirst,
// SuppressSize, Charset, and -FoldersFirst below), HeaderName in place of
// the heading, ReadmeName as text under the table, and ServerSignature's
// line after it, as mod_autoindex's emit_tail.
func TestAutoindexDirectives(t *testing.T) {
	s := startServer(t, autoindexConf, map[string]string{
		"list/file10.txt":  "10",
		"list/file2.txt":   "2",
		"list/a.bak":       "bak",
		"list/.hidden":     "h",
		"list/zdir/x.txt":  "x",
		"list/HEADER.html": "<h2>My files</h2>\n",
		"list/README.txt":  "read <me>\n",
		"list/sub/x.tmp":   "t",
		"list/sub/y.bak":   "b",
		"list/sub/.dot":    "d",
		"list/sub/bdir/z":  "z",
	})
	c := s.open(t)
	defer c.Close()
	resp, body := c.roundTrip("GET /list/ HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html;charset=ISO-8859-1" {
		t.Fatalf("/list/: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := names(body); got != "sub/ zdir/ HEADER.html README.txt file2.txt file10.txt" {
		t.Errorf("/list/ lists %q", got)
	}
	for _, want := range []string{"<h2>My files</h2>", "<pre>\nread &lt;me&gt;\n</pre>", ">Last modified</a></th>"} {
		if !strings.Contains(body, want) {
			t.Errorf("/list/ lacks %q:\n%s", want, body)
		}
	}
	if !regexp.MustCompile(`</pre>\n<address>eventmpm/\S+ \(Unix\) Server at localhost Port \d+</address>\n</body></html>\n$`).MatchString(body) {
		t.Errorf("/list/ does not end with the readme, then ServerSignature's line:\n%s", body)
	}
	for _, unwanted := range []string{"<h1>Index of", ">Size</a>"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("/list/ has %q:\n%s", unwanted, body)
		}
	}
	_, body = c.roundTrip("GET /list/sub/ HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if got := names(body); got != ".dot bdir/ y.bak" {
		t.Errorf("/list/sub/ lists %q, want the reset IndexIgnore and no FoldersFirst", got)
	}
}

func names(body string) string {
	var out []string
	for _, m := range listedName.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " ")
}

// TestIndexStyleSheet: IndexStyleSheet links the style sheet from the
// listing's head and marks up the title and, with HTMLTable, the table,
// its rows (even and odd) and columns for it, without alignment
// attributes; IndexHeadInsert goes into the head as written. Byte for
// byte what Apache 2.4.71 sent in 34 comparisons (three listing forms,
// sorted, with HeaderName).
func TestIndexStyleSheet(t *testing.T) {
	s := startServer(t, "<Directory htdocs/lst>\n    Options +Indexes\n    IndexOptions FancyIndexing HTMLTable\n"+
		"    IndexStyleSheet /css/list.css\n    IndexHeadInsert \"<meta name=\\\"robots\\\" content=\\\"noindex\\\">\"\n</Directory>\n",
		map[string]string{"lst/a.txt": "a\n", "lst/b.txt": "b\n"})
	resp, err := newClient().Get(s.url("/lst/"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	expectContains(t, "the listing", string(body),
		"  <title>Index of /lst</title>\n  <link rel=\"stylesheet\" href=\"/css/list.css\" type=\"text/css\">\n<meta name=\"robots\" content=\"noindex\"> </head>\n <body>\n",
		"  <h1 id=\"indextitle\">Index of /lst</h1>\n  <table id=\"indexlist\">\n   <tr class=\"indexhead\"><th class=\"indexcolicon\">&nbsp;</th><th class=\"indexcolname\">",
		"   <tr class=\"indexbreakrow\"><th colspan=\"5\"><hr></th></tr>\n   <tr class=\"even\"><td class=\"indexcolicon\">&nbsp;</td><td class=\"indexcolname\"><a href=\"/\">Parent Directory</a>",
		"   <tr class=\"odd\"><td class=\"indexcolicon\">&nbsp;</td><td class=\"indexcolname\"><a href=\"a.txt\">a.txt</a>",
		"   <tr class=\"even\"><td class=\"indexcolicon\">&nbsp;</td><td class=\"indexcolname\"><a href=\"b.txt\">b.txt</a>")
	if strings.Contains(string(body), "align=") {
		t.Errorf("the listing has alignment attributes:\n%s", body)
	}
}
