package child_test

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
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
// the heading, ReadmeName as text under the table in place of
// ServerSignature's line, which a listing without one ends with, as
// mod_autoindex's emit_tail.
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
	if !strings.HasSuffix(body, "</pre>\n</body></html>\n") || strings.Contains(body, "<address>") {
		t.Errorf("/list/ does not end with the readme, in place of ServerSignature's line (as mod_autoindex's emit_tail):\n%s", body)
	}
	if _, zbody := c.roundTrip("GET /list/zdir/ HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); !regexp.MustCompile(
		`</table>\n<address>eventmpm/\S+ \(Unix\) Server at localhost Port \d+</address>\n</body></html>\n$`).MatchString(zbody) {
		t.Errorf("/list/zdir/ (no readme) does not end with ServerSignature's line:\n%s", zbody)
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

// getListing GETs path, with Basic credentials "user:password" when user
// is not "", and returns the body of its 200.
func getListing(t *testing.T, s *server, path, user string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url(path), nil)
	if user != "" {
		u, p, _ := strings.Cut(user, ":")
		req.SetBasicAuth(u, p)
	}
	resp, err := newClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	return string(body)
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

// autoindexIconsConf is a part of Debian's autoindex.conf, with
// descriptions, and a directory whose .htaccess adds its own rules.
const autoindexIconsConf = `AddEncoding x-gzip .gz
IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8
AddIconByEncoding (CMP,/icons/compressed.gif) x-compress x-gzip x-bzip2
AddIconByType (TXT,/icons/text.gif) text/*
AddIconByType (IMG,/icons/image2.gif) image/*
AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip
AddIcon /icons/layout.gif .html .shtml .htm .pdf
AddIcon /icons/bomb.gif /core
AddIcon /icons/back.gif ..
AddIcon /icons/hand.right.gif README
AddIcon /icons/folder.gif ^^DIRECTORY^^
AddIcon /icons/blank.gif ^^BLANKICON^^
DefaultIcon /icons/unknown.gif
<Directory htdocs/ic>
    Options +Indexes
    AllowOverride Indexes
    AddDescription "Wild &amp; card" *.png
</Directory>
<Directory htdocs/ic/pre>
    IndexOptions FancyIndexing IconHeight=30 ScanHTMLTitles -DescriptionWidth IconsAreLinks IconWidth
    AddDescription "Text <b>file</b> with a long description that will be cut" a.txt
</Directory>
`

// TestAutoindexIcons: icons and alt texts by path, type, coding and
// ^^DIRECTORY^^ (a directory named *.gz takes the .gz icon), the default
// icon, descriptions (wildcards, entities and tags counted as Apache
// counts them, cut to DescriptionWidth), <title>s with ScanHTMLTitles,
// IconsAreLinks and the icon size, and a .htaccess whose rules come before
// the server's. Each expected row is what Apache 2.4.71 sent for the same
// configuration and files (times left out).
func TestAutoindexIcons(t *testing.T) {
	files := map[string]string{
		"README": "r\n", "a.txt": "a\n", "b.html": "<html><head><TITLE>\nThe B &amp; page\nline2</title></head></html>",
		"c.tar.gz": "\x1f\x8b", "core": "", "d.zzz": "", "e.png": "", "f.Z": "", "h.pdf": "", "dir/x": "", "dir.gz/x": "",
	}
	all := map[string]string{
		"ic/loc/.htaccess": "AddIcon /local/txt.png .txt\nAddAlt \"Local alt\" *.txt\nDefaultIcon /local/default.png\n" +
			"AddDescription \"From htaccess\" a.txt\nIndexOptions FancyIndexing HTMLTable IconsAreLinks\n",
	}
	for _, dir := range []string{"ic/table/", "ic/pre/", "ic/loc/"} {
		for name, body := range files {
			all[dir+name] = body
		}
	}
	s := startServer(t, autoindexIconsConf, all)
	get := func(path string) string {
		return regexp.MustCompile(`<td align="right">\d{4}-\d\d-\d\d \d\d:\d\d  </td>| \d{4}-\d\d-\d\d \d\d:\d\d  `).ReplaceAllString(getListing(t, s, path, ""), "TIME")
	}
	expectContains(t, "the table", get("/ic/table/"),
		`<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th>`,
		`<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/ic/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/hand.right.gif" alt="[   ]"></td><td><a href="README">README</a></td>TIME<td align="right">  2 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="a.txt">a.txt</a></td>TIME<td align="right">  2 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="b.html">b.html</a></td>TIME<td align="right"> 64 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/compressed.gif" alt="[CMP]"></td><td><a href="c.tar.gz">c.tar.gz</a></td>TIME<td align="right">  2 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/bomb.gif" alt="[   ]"></td><td><a href="core">core</a></td>`,
		`<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="d.zzz">d.zzz</a></td>`,
		`<tr><td valign="top"><img src="/icons/compressed.gif" alt="[DIR]"></td><td><a href="dir.gz/">dir.gz/</a></td>TIME<td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="dir/">dir/</a></td>`,
		`<tr><td valign="top"><img src="/icons/image2.gif" alt="[IMG]"></td><td><a href="e.png">e.png</a></td>TIME<td align="right">  0 </td><td>Wild &amp; card</td></tr>`,
		`<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="f.Z">f.Z</a></td>`,
		`<tr><td valign="top"><img src="/icons/layout.gif" alt="[   ]"></td><td><a href="h.pdf">h.pdf</a></td>`)
	expectContains(t, "the <pre> form", get("/ic/pre/"),
		`<pre><img src="/icons/blank.gif" alt="Icon " width="20" height="30"> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>`,
		`<hr><a href="/ic/"><img src="/icons/back.gif" alt="[PARENTDIR]" width="20" height="30"></a> <a href="/ic/">Parent Directory</a>                             -   
`,
		`<a href="a.txt"><img src="/icons/text.gif" alt="[TXT]" width="20" height="30"></a> <a href="a.txt">a.txt</a>                  TIME  2   Text <b>file</b> with a long >
`,
		`<a href="b.html"><img src="/icons/text.gif" alt="[TXT]" width="20" height="30"></a> <a href="b.html">b.html</a>                 TIME 64   The B &amp; page line2
`,
		`<a href="e.png"><img src="/icons/image2.gif" alt="[IMG]" width="20" height="30"></a> <a href="e.png">e.png</a>                  TIME  0   Wild &amp; card
`)
	expectContains(t, "the .htaccess rules", get("/ic/loc/"),
		`<tr><td valign="top"><a href="/ic/"><img src="/icons/back.gif" alt="[PARENTDIR]"></a></td><td><a href="/ic/">Parent Directory</a></td>`,
		`<tr><td valign="top"><a href="README"><img src="/icons/hand.right.gif" alt="[   ]"></a></td><td><a href="README">README</a></td>`,
		`<tr><td valign="top"><a href="a.txt"><img src="/local/txt.png" alt="[Local alt]"></a></td><td><a href="a.txt">a.txt</a></td>TIME<td align="right">  2 </td><td>From htaccess</td></tr>`,
		`<tr><td valign="top"><a href="d.zzz"><img src="/local/default.png" alt="[   ]"></a></td><td><a href="d.zzz">d.zzz</a></td>`)
}

// TestAutoindexEntryAccess: a listing leaves out the entries a request
// could not get, as mod_autoindex's subrequests do: denied by <Files>, by
// a subdirectory's <Directory> or .htaccess, by <Location>, or needing a
// password the request did not give (listed when it gave a good one);
// with ShowForbidden the refused ones are listed. Entries neither a
// directory nor a regular file (a FIFO) are left out. Apache 2.4.71 listed
// the same names for the same configuration. The refusals are not logged.
func TestAutoindexEntryAccess(t *testing.T) {
	s := startServer(t, `<Directory htdocs/acc>
    Options +Indexes
    AllowOverride All
    IndexOptions FancyIndexing
    <Files "*.bak">
        Require all denied
    </Files>
    <Files "secret.txt">
        AuthType Basic
        AuthName "sec"
        AuthUserFile htdocs/.htpasswd
        Require valid-user
    </Files>
</Directory>
<Directory htdocs/acc/priv>
    Require all denied
</Directory>
<Location /acc/loc.html>
    Require ip 192.0.2.1
</Location>
<Directory htdocs/show>
    Options +Indexes
    IndexOptions FancyIndexing ShowForbidden
</Directory>
<Directory htdocs/show/priv>
    Require all denied
</Directory>
`, map[string]string{
		".htpasswd": htpasswdFile, "acc/a.txt": "a", "acc/x.bak": "x", "acc/secret.txt": "s", "acc/priv/f": "f",
		"acc/hdir/.htaccess": "Require all denied\n", "acc/loc.html": "l", "acc/ok/f": "f",
		"show/a.txt": "a", "show/priv/f": "f",
	})
	if err := unix.Mkfifo(s.root.Path("htdocs", "acc", "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	list := func(path, user string) string { return names(getListing(t, s, path, user)) }
	for _, tc := range []struct{ path, user, want string }{
		{"/acc/", "", "a.txt ok/"},
		{"/acc/", "alice:secret", "a.txt ok/ secret.txt"},
		{"/acc/", "alice:wrong", "a.txt ok/"},
		{"/show/", "", "a.txt priv/"},
	} {
		if got := list(tc.path, tc.user); got != tc.want {
			t.Errorf("%s as %q lists %q, want %q", tc.path, tc.user, got, tc.want)
		}
	}
	if log := s.logFile("error_log"); strings.Contains(log, "AH01630") {
		t.Errorf("the hidden entries were logged as denials:\n%s", log)
	}
}

// TestAutoindexPageOptions: IndexOptions XHTML, TrackModified, Type= and
// Charset=, SuppressHTMLPreamble with an HTML HeaderName and ReadmeName,
// and a HeaderName whose type is not text (shown as nothing, the heading
// stays). The pages were compared byte for byte with Apache 2.4.71's.
func TestAutoindexPageOptions(t *testing.T) {
	s := startServer(t, `AddIcon /icons/blank.gif ^^BLANKICON^^
<Directory htdocs/x>
    Options +Indexes
    IndexOptions FancyIndexing HTMLTable XHTML TrackModified IconWidth
    IndexStyleSheet /s.css
</Directory>
<Directory htdocs/t>
    Options +Indexes
    IndexOptions FancyIndexing Type=text/plain Charset=ISO-8859-2
    HeaderName HEADER.gif
</Directory>
<Directory htdocs/p>
    Options +Indexes
    IndexOptions FancyIndexing SuppressHTMLPreamble
    HeaderName HEADER.html
    ReadmeName FOOTER.html
</Directory>
`, map[string]string{
		"x/a.txt": "a", "t/a.txt": "a", "t/HEADER.gif": "GIF89a",
		"p/HEADER.html": "<html><head><title>H</title></head><body>\n<h2>My header</h2>\n",
		"p/FOOTER.html": "<p>footer</p>\n</body></html>\n", "p/a.txt": "a",
	})
	get := func(path string) (*http.Response, string) {
		resp, err := newClient().Get(s.url(path))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	resp, body := get("/x/")
	fi, err := os.Stat(s.root.Path("htdocs", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if lm := resp.Header.Get("Last-Modified"); lm != fi.ModTime().UTC().Format(http.TimeFormat) || resp.Header.Get("ETag") == "" {
		t.Errorf("TrackModified: Last-Modified %q (want the directory's %s), ETag %q", lm, fi.ModTime().UTC(), resp.Header.Get("ETag"))
	}
	expectContains(t, "the XHTML listing", body,
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n <head>\n",
		"  <link rel=\"stylesheet\" href=\"/s.css\" type=\"text/css\" />\n </head>\n",
		`<th class="indexcolicon"><img src="/icons/blank.gif" alt="[ICO]" width="20" /></th>`,
		`<tr class="indexbreakrow"><th colspan="5"><hr /></th></tr>`)
	resp, body = get("/t/")
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain;charset=ISO-8859-2" {
		t.Errorf("Type= and Charset=: Content-Type %q", ct)
	}
	if !strings.Contains(body, "<h1>Index of /t</h1>") || strings.Contains(body, "GIF89a") || resp.Header.Get("Last-Modified") != "" {
		t.Errorf("a HeaderName that is not text took the heading's place, or Last-Modified without TrackModified:\n%s", body)
	}
	_, body = get("/p/")
	if !strings.HasPrefix(body, "<html><head><title>H</title></head><body>\n<h2>My header</h2>\n<pre>") ||
		!strings.HasSuffix(body, "<hr></pre>\n<p>footer</p>\n</body></html>\n") {
		t.Errorf("SuppressHTMLPreamble: the page does not open with the header file and end with the readme:\n%s", body)
	}
}
