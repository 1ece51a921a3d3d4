#!/usr/bin/env python3
"""End-to-end test of the web console: the real rampartd (demo data, a temp
data dir), the real rampart CLI as the source of truth, and the console in
headless Chromium driven by Selenium.

    console_test.py RAMPARTD RAMPART_CLI

Environment: RAMPART_CONSOLE_DIR, when set, is passed as `rampartd
--console-dir` (serve the console from the source tree instead of the
embedded copy); RAMPART_CONSOLE_TEST_KEEP=1 keeps the temp dir (data dir,
rampartd's stderr, chromedriver's log); CHROMIUM and CHROMEDRIVER override
/usr/bin/chromium and /usr/bin/chromedriver.
Needs Debian's chromium, chromium-driver and python3-selenium.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    # A python3 of its own on PATH (pyenv, a venv) does not see Debian's
    # python3-selenium: run again with the system's.
    if (os.path.exists('/usr/bin/python3') and not os.environ.get('RAMPART_CONSOLE_TEST_REEXEC')
            and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3')):
        os.environ['RAMPART_CONSOLE_TEST_REEXEC'] = '1'
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    sys.exit('console_test: selenium is missing (apt-get install python3-selenium chromium chromium-driver)')

CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')
WAIT = 20          # seconds for a page to show what it should
START_WAIT = 60    # seconds for rampartd to start

RAMPARTD = RAMPART = None
S = None  # the shared fixture (server, tokens, browser), set up once


def check(what):
    print(f'  check: {what}', flush=True)


def parse_time(text):
    """An RFC 3339 timestamp (any fraction, Z or offset) as an aware datetime."""
    m = re.match(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$', text)
    if not m:
        raise ValueError(f'not an RFC 3339 time: {text!r}')
    base = datetime.datetime.fromisoformat(m.group(1))
    micros = int(((m.group(2) or '.0')[1:] + '000000')[:6])
    zone = datetime.timezone.utc if m.group(3) == 'Z' else datetime.datetime.strptime(m.group(3), '%z').tzinfo
    return base.replace(microsecond=micros, tzinfo=zone)


def format_value(value):
    """A FlagValue (CLI JSON, proto field names) as the console and the CLI show it."""
    if not value:
        return '–'
    for name in ('bool_value', 'string_value', 'int_value', 'double_value', 'json_value'):
        if name in value:
            v = value[name]
            if name == 'bool_value':
                return 'true' if v else 'false'
            if name == 'string_value':
                return f'"{v}"'
            return str(v)
    return '–'


def enum_label(value, prefix):
    return (value or prefix + 'UNSPECIFIED').replace(prefix, '', 1)


def local_days(window, first, last):
    """The local days in [first, last] on which a window (CLI JSON) freezes
    some time: from local_start to local_end, both "YYYY-MM-DD HH:MM"."""
    start_day, start_time = window['local_start'].split(' ')
    end_day, end_time = window['local_end'].split(' ')
    minutes = lambda t: int(t[:2]) * 60 + int(t[3:5])
    day = datetime.date.fromisoformat(start_day)
    end = datetime.date.fromisoformat(end_day)
    days = set()
    while day <= end:
        lo = minutes(start_time) if day.isoformat() == start_day else 0
        hi = minutes(end_time) if day.isoformat() == end_day else 1440
        if hi > lo and first <= day <= last:
            days.add(day.isoformat())
        day += datetime.timedelta(days=1)
    return days


class Fixture:
    """rampartd with the demo data, its tokens, and one browser."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='rampart-console-test-')
        self.data_dir = os.path.join(self.tmp, 'data')
        self.proc = None
        self.driver = None
        self.stdout_lines = []
        self.browser_errors = []

    # -- rampartd ---------------------------------------------------------
    def start_server(self):
        args = [RAMPARTD, '--demo', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0',
                '--data-dir', self.data_dir]
        if os.environ.get('RAMPART_CONSOLE_DIR'):
            args += ['--console-dir', os.environ['RAMPART_CONSOLE_DIR']]
        print('starting', ' '.join(args), flush=True)
        self.stderr = open(os.path.join(self.tmp, 'rampartd.stderr'), 'w')
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        ports = {}
        both = threading.Event()

        def read():
            for line in self.proc.stdout:  # keep draining, so rampartd never blocks on stdout
                self.stdout_lines.append(line.rstrip('\n'))
                m = re.search(r'rampartd (http )?listening on (\S+:\d+)', line)
                if m:
                    ports['http' if m.group(1) else 'grpc'] = m.group(2)
                    if len(ports) == 2:
                        both.set()
            both.set()

        threading.Thread(target=read, daemon=True).start()
        if not both.wait(START_WAIT) or len(ports) != 2:
            raise AssertionError(f'rampartd did not print both "listening" lines within {START_WAIT} s; '
                                 f'stdout: {self.stdout_lines}; stderr: {self.stderr_tail()}')
        self.grpc, self.http = ports['grpc'], ports['http']
        self.base = f'http://{self.http}'
        print(f'rampartd: gRPC {self.grpc}, HTTP {self.http}', flush=True)
        token_file = os.path.join(self.data_dir, 'admin.token')
        with open(token_file) as f:
            self.admin = f.read().strip()
        if not self.admin.startswith('rpt_'):
            raise AssertionError(f'{token_file} does not hold a token: {self.admin[:8]!r}...')

    def stderr_tail(self):
        self.stderr.flush()
        with open(self.stderr.name) as f:
            return f.read()[-3000:]

    def stop_server(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- the CLI and the HTTP API ------------------------------------------
    def cli(self, *args, token=None, ok=True):
        """Runs `rampart ... --output json`; returns the parsed JSON (or the
        completed process when ok=False)."""
        cmd = [RAMPART, '--server', self.grpc, '--token', token or self.admin, *args, '--output', 'json']
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if not ok:
            return r
        if r.returncode != 0:
            raise AssertionError(f'{" ".join(cmd[:3])} ... {" ".join(args)} failed ({r.returncode}): {r.stderr.strip()}')
        return json.loads(r.stdout)

    def create_token(self, name, role):
        r = self.cli('token', 'create', '--name', name, '--role', role, '--reason', 'console e2e test',
                     ok=False)
        if r.returncode != 0:
            raise AssertionError(f'token create {name} failed: {r.stderr.strip()}')
        secret = json.loads(r.stdout)['secret']
        assert secret.startswith('rpt_'), secret[:8]
        return secret

    def post(self, method, body, token):
        """POST /rampart.v1.<method> directly: (status, parsed JSON body)."""
        req = urllib.request.Request(f'{self.base}/rampart.v1.{method}', data=json.dumps(body).encode(),
                                     headers={'Content-Type': 'application/json',
                                              'Authorization': f'Bearer {token}'})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b'{}')
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b'{}')

    # -- the browser -------------------------------------------------------
    def start_browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                    '--disable-quic', '--no-first-run', '--disable-background-networking',
                    '--disable-component-update', '--disable-sync', '--window-size=1400,1000',
                    f'--user-data-dir={os.path.join(self.tmp, "chromium")}'):
            options.add_argument(arg)
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        # The browser's local time is UTC, so "as of" inputs are plain UTC.
        os.environ['TZ'] = 'UTC'
        service = Service(CHROMEDRIVER, log_path=os.path.join(self.tmp, 'chromedriver.log'))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_script_timeout(30)

    def collect_browser_errors(self):
        """JavaScript errors so far (the API's deliberate 4xx answers aside)."""
        for entry in self.driver.get_log('browser'):
            if entry['level'] == 'SEVERE' and 'Failed to load resource' not in entry['message']:
                self.browser_errors.append(entry['message'])

    def stop_browser(self):
        if self.driver:
            self.driver.quit()


def setUpModule():
    global S
    S = Fixture()
    try:
        S.start_server()
        check('rampartd printed its gRPC and HTTP ports and wrote admin.token')
        S.admin_name = S.post('TokenService/WhoAmI', {}, S.admin)[1].get('name')
        S.support_name, S.rm_name = 'sue-support', 'rita-release'
        S.support = S.create_token(S.support_name, 'support')
        S.rm = S.create_token(S.rm_name, 'release-manager')
        check(f'tokens created with the CLI: {S.support_name} (support), {S.rm_name} (release-manager); '
              f'the admin token is "{S.admin_name}"')
        S.start_browser()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if S is None:
        return
    try:
        S.stop_browser()
    finally:
        S.stop_server()
        if os.environ.get('RAMPART_CONSOLE_TEST_KEEP'):
            print('kept', S.tmp)
        else:
            shutil.rmtree(S.tmp, ignore_errors=True)


class ConsoleTest(unittest.TestCase):
    """Numbered: they run in order and share one server and one browser."""

    # -- helpers -----------------------------------------------------------
    @property
    def d(self):
        return S.driver

    def tearDown(self):
        S.collect_browser_errors()

    def wait(self, condition, what, timeout=WAIT):
        try:
            # The console re-renders as answers arrive: an element read
            # while it is replaced is read again at the next poll.
            return WebDriverWait(self.d, timeout, poll_frequency=0.1,
                                 ignored_exceptions=[StaleElementReferenceException]).until(lambda d: condition())
        except TimeoutException:
            banner = self.by_id('error-banner')
            extra = f'; error banner: {banner.text!r}' if banner and banner.is_displayed() else ''
            self.fail(f'timed out after {timeout} s waiting for {what}{extra}')

    def by_id(self, element_id):
        found = self.d.find_elements(By.ID, element_id)
        return found[0] if found else None

    def by_testid(self, testid, root=None):
        return (root or self.d).find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def body(self, name):
        return self.d.execute_script(f'return document.body.dataset.{name} || ""')

    def go(self, route):
        """Opens #route and waits until the page has rendered it."""
        self.d.get(f'{S.base}/#{route}')
        self.wait(lambda: self.body('rendered') == f'#{route}', f'the console to render #{route}')

    def banner(self):
        return self.by_id('error-text').text if self.by_id('error-banner').is_displayed() else ''

    def sign_in(self, token, name):
        if self.body('ready') == 'true' and self.by_id('whoami-name').is_displayed() \
                and self.by_id('whoami-name').text == name:
            return
        self.d.get(f'{S.base}/')
        self.wait(lambda: self.body('ready') == 'true', 'the console to start')
        if self.by_id('sign-out').is_displayed():
            self.by_id('sign-out').click()
        self.wait(lambda: self.by_id('token-input').is_displayed(), 'the sign-in form')
        self.by_id('token-input').send_keys(token)
        self.by_id('signin-button').click()
        self.wait(lambda: self.by_id('whoami-name').is_displayed() and self.by_id('whoami-name').text == name,
                  f'the header to name {name}')

    def whois_rows(self):
        return {r.get_attribute('data-flag'): r for r in self.by_testid('whois-row')}

    def compare_whois(self, account, cli_view, at_label):
        rows = self.whois_rows()
        flags = cli_view['flags']
        self.assertEqual(sorted(rows), sorted(f['flag_key'] for f in flags),
                         f'{account} {at_label}: the console lists the flags the CLI lists')
        for f in flags:
            row = rows[f['flag_key']]
            cell = lambda testid: row.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
            error = enum_label(f.get('error_code'), 'ERROR_CODE_')
            want_value = error if error != 'UNSPECIFIED' else format_value(f.get('value'))
            self.assertEqual(cell('whois-value').text, want_value, f'{account} {f["flag_key"]} value {at_label}')
            self.assertEqual(cell('whois-variant').text, f.get('variant', ''), f'{account} {f["flag_key"]} variant')
            self.assertEqual(cell('whois-reason').text, enum_label(f.get('reason'), 'REASON_'),
                             f'{account} {f["flag_key"]} reason {at_label}')
            self.assertEqual(cell('whois-why').text, f.get('why') or '–', f'{account} {f["flag_key"]} why')
            since = cell('whois-since').find_elements(By.TAG_NAME, 'time')
            if f.get('since'):
                self.assertTrue(since, f'{account} {f["flag_key"]}: since is shown')
                self.assertEqual(parse_time(since[0].get_attribute('datetime')), parse_time(f['since']),
                                 f'{account} {f["flag_key"]} since')
            else:
                self.assertFalse(since, f'{account} {f["flag_key"]}: no since')
            self.assertEqual(len(cell('whois-next').find_elements(By.TAG_NAME, 'li')), len(f.get('next', [])),
                             f'{account} {f["flag_key"]}: next steps')
            check(f'{account} {at_label}: {f["flag_key"]} = {want_value} ({enum_label(f.get("reason"), "REASON_")}) '
                  f'as `rampart whois` says')

    # -- the tests -----------------------------------------------------------
    def test_01_serves_the_console_and_signs_in(self):
        with urllib.request.urlopen(f'{S.base}/', timeout=10) as r:
            html = r.read().decode()
        self.assertIn('/console/app.js', html)
        with urllib.request.urlopen(f'{S.base}/console/app.js', timeout=10) as r:
            self.assertIn('javascript', r.headers.get('Content-Type', ''))
        check('GET / serves index.html and GET /console/app.js the script')

        status, body = S.post('TokenService/WhoAmI', {}, S.support)
        self.assertEqual((status, body.get('name'), body.get('role')), (200, S.support_name, 'ROLE_SUPPORT'))
        check('WhoAmI over HTTP names the support token and its role')

        self.d.get(f'{S.base}/')
        self.wait(lambda: self.body('ready') == 'true' and self.by_id('token-input').is_displayed(),
                  'the sign-in form')
        self.by_id('token-input').send_keys('rpt_nosuchtoken_0000')
        self.by_id('signin-button').click()
        self.wait(lambda: self.banner(), 'an error banner for an unknown token')
        self.assertTrue(self.by_id('token-input').is_displayed())
        check(f'an unknown token is refused with a visible error: {self.banner()!r}')

        self.by_id('token-input').clear()
        self.sign_in(S.support, S.support_name)
        self.assertIn('support', self.by_id('whoami-role').text)
        self.assertFalse(self.banner(), 'the banner is cleared after a good sign-in')
        check(f'signed in as support: the header shows "{self.by_id("whoami-name").text}" '
              f'"{self.by_id("whoami-role").text}"')
        self.d.refresh()
        self.wait(lambda: self.body('ready') == 'true' and self.by_id('whoami-name').text == S.support_name,
                  'the session to survive a reload')
        check('a reload keeps the session (sessionStorage)')

    def test_02_whois_matches_the_cli(self):
        self.sign_in(S.support, S.support_name)
        self.go('accounts')
        search = self.by_id('account-search')
        search.send_keys('ledger')
        self.wait(lambda: [r.get_attribute('data-key') for r in self.by_testid('account-result')] == ['ledger-pro'],
                  'the search to find only ledger-pro')
        check('searching "ledger" finds ledger-pro alone')
        self.by_testid('account-result')[0].click()
        self.wait(lambda: self.body('rendered') == '#accounts/ledger-pro' and self.whois_rows(),
                  'the whois of ledger-pro')
        self.assertIn('ledger-pro', self.by_id('account-title').text)
        for account in ('ledger-pro', 'hr-cloud', 'kino-mir'):
            if account != 'ledger-pro':
                self.go(f'accounts/{account}')
            cli_view = S.cli('whois', account)
            self.compare_whois(account, cli_view, 'now')
            state = self.by_id('account-state').text
            for segment in cli_view.get('segments', []):
                self.assertIn(segment, state)
            self.assertEqual(bool(self.by_testid('account-frozen')), bool(cli_view.get('frozen')),
                             f'{account}: frozen as the CLI says')
            check(f'{account}: segments {cli_view.get("segments", [])} and frozen={cli_view.get("frozen", False)} '
                  f'as the CLI says')

    def test_03_as_of_and_timeline(self):
        self.sign_in(S.support, S.support_name)
        account, flag = 'hr-cloud', 'export-format'   # hr-cloud is in no frozen segment
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(seconds=1)
        S.cli('flag', 'override', 'set', flag, account, 'xml-2026', '--reason', 'console test: ticket SUP-7')
        check(f'the admin set an override: {flag} = xml-2026 for {account}')
        self.go(f'accounts/{account}')
        now_view = S.cli('whois', account)
        self.compare_whois(account, now_view, 'now')
        self.assertEqual(self.whois_rows()[flag].find_element(By.CSS_SELECTOR, '[data-testid="whois-value"]').text,
                         '"xml-2026"')

        # As of a second before the override: from the history.
        at = before.strftime('%Y-%m-%dT%H:%M:%S')   # the browser runs in UTC
        self.d.execute_script('document.getElementById("whois-at").value = arguments[0]', at)
        self.by_id('whois-at-apply').click()
        self.wait(lambda: self.body('rendered') == f'#accounts/{account}', 'the whois as of the past')
        past_view = S.cli('whois', account, '--at', before.isoformat().replace('+00:00', 'Z'))
        self.compare_whois(account, past_view, f'as of {at}Z')
        past = {f['flag_key']: format_value(f.get('value')) for f in past_view['flags']}
        self.assertNotEqual(past.get(flag), '"xml-2026"', 'the past does not know the override yet')
        if past_view.get('historical'):
            self.assertIn('from the audit log', self.by_id('account-state').text)
        check(f'"as of" {at}Z shows {flag} = {past.get(flag)} as `rampart whois --at` does')
        self.by_id('whois-now').click()
        self.wait(lambda: self.body('rendered') == f'#accounts/{account}' and
                  self.whois_rows()[flag].find_element(By.CSS_SELECTOR, '[data-testid="whois-value"]').text == '"xml-2026"',
                  'the whois of now again')

        # The timeline: the same events as `rampart history`, newest first.
        history = S.cli('history', '--account', account, '--limit', '200')['events']
        rows = self.by_testid('history-row')
        self.assertEqual(len(rows), len(history), 'the timeline has the events `rampart history` has')
        for row, event in zip(rows, reversed(history)):
            self.assertEqual(row.get_attribute('data-flag'), event.get('flag_key', ''))
            if event.get('flag_key'):
                want = f'{format_value(event.get("before"))} → {format_value(event.get("after"))}'
                self.assertEqual(row.find_element(By.CSS_SELECTOR, '[data-testid="history-value"]').text, want)
            self.assertEqual(row.find_element(By.CSS_SELECTOR, '[data-testid="history-actor"]').text,
                             event.get('actor') or '?')
            self.assertEqual('held by a freeze' in row.text, bool(event.get('held')))
        newest = rows[0]
        self.assertEqual(newest.get_attribute('data-flag'), flag)
        self.assertIn('console test: ticket SUP-7', newest.text)
        self.assertIn(S.admin_name, newest.text)
        check(f'the timeline lists the {len(history)} events of `rampart history`, newest first: '
              f'{flag} "xml-2024" → "xml-2026" by {S.admin_name}')

    def test_04_error_banner_shows_the_servers_message(self):
        self.sign_in(S.support, S.support_name)
        self.go('accounts/no-such-account')
        self.wait(lambda: self.banner(), 'an error banner')
        cli = S.cli('whois', 'no-such-account', ok=False)
        self.assertNotEqual(cli.returncode, 0)
        self.assertIn('no-such-account', self.banner())
        self.assertIn('404', self.banner())
        check(f'an unknown account shows the server\'s message: {self.banner()!r} '
              f'(CLI: {cli.stderr.strip()!r})')

    def test_05_ramp_is_read_only_for_support(self):
        flag = 'bulk-payments'
        S.cli('ramp', 'problem', 'report', flag, '--account', 'client-02', '--text', 'bank file rejected')
        self.sign_in(S.support, S.support_name)
        self.go('ramps')
        self.wait(lambda: flag in [a.get_attribute('data-key') for a in self.by_testid('ramp-flag')],
                  f'{flag} in the list of flags with a ramp')
        [link] = [a for a in self.by_testid('ramp-flag') if a.get_attribute('data-key') == flag]
        link.click()
        self.wait(lambda: self.body('rendered') == f'#ramps/{flag}' and self.by_testid('ramp-stage'), f'the ramp of {flag}')
        status = S.cli('ramp', 'status', flag)
        ramp = status['ramp']
        self.assertEqual(self.by_id('ramp-status').get_attribute('data-status'), ramp['status'])
        stages = self.by_testid('ramp-stage')
        self.assertEqual(len(stages), len(ramp['plan']['stages']))
        for stage, planned in zip(stages, ramp['plan']['stages']):
            self.assertIn(planned.get('name', ''), stage.text)
        current = [s.get_attribute('data-stage') for s in stages if s.get_attribute('data-current') == 'true']
        self.assertEqual(current, [str(ramp['current_stage'])])
        check(f'{flag}: status {ramp["status"]}, {len(stages)} stages, stage {ramp["current_stage"]} '
              f'highlighted as current, as `rampart ramp status` says')
        problems = S.cli('ramp', 'problem', 'list', flag)
        self.assertEqual(len(self.by_testid('problem-row')), len(problems['reports']))
        self.assertIn('bank file rejected', self.by_id('problems-table').text)
        check(f'the problem reports ({len(problems["reports"])}) are listed')

        for testid in ('ramp-pause', 'ramp-resume', 'ramp-advance', 'ramp-rollback', 'ramp-start', 'ramp-approve'):
            offered = [b.text for b in self.by_testid(testid) if b.is_displayed() and b.is_enabled()]
            self.assertEqual(offered, [], f'{testid} is not offered to support')
        self.assertTrue(self.by_id('ramp-readonly').is_displayed())
        check('Pause / Resume / Advance / Roll back are not offered to support')

        result = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/rampart.v1.RampService/PauseRamp', {method: 'POST',
              headers: {'Content-Type': 'application/json',
                        'Authorization': 'Bearer ' + sessionStorage.getItem('rampart.token')},
              body: JSON.stringify({meta: {reason: 'support tries'}, flagKey: arguments[0]})})
              .then(async (r) => done({status: r.status, body: await r.text()}))
              .catch((e) => done({status: -1, body: String(e)}));""", flag)
        self.assertEqual(result['status'], 403, result)
        self.assertEqual(json.loads(result['body']).get('code'), 'permission_denied', result)
        after = S.cli('ramp', 'status', flag)['ramp']
        self.assertEqual((after['status'], after['revision']), (ramp['status'], ramp['revision']))
        check(f'a direct PauseRamp with the support token gets 403 permission_denied '
              f'({json.loads(result["body"]).get("message")!r}); the ramp is unchanged')

    def test_06_freeze_month_grid(self):
        self.sign_in(S.support, S.support_name)
        segment = 'accounting'
        self.go('freezes')
        self.wait(lambda: segment in [o.get_attribute('value') for o in
                                      Select(self.by_id('freeze-segment')).options], 'the segments')
        Select(self.by_id('freeze-segment')).select_by_value(segment)   # may be the first, already shown
        self.wait(lambda: self.body('rendered') and self.by_id('freeze-title').text.startswith(f'{segment}:'),
                  'the grid of the segment')
        month = self.by_id('freeze-month').get_attribute('value')
        self.by_id('freeze-next').click()
        y, m = map(int, month.split('-'))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        month = f'{y}-{m:02d}'
        self.wait(lambda: self.body('rendered') == f'#freezes/{segment}/{month}', f'the grid of {month}')
        first = datetime.date(y, m, 1)
        last = (datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1))
        windows = S.cli('freeze', 'list', '--segment', segment, '--from', first.isoformat(),
                        '--to', last.isoformat())['windows']
        want = set()
        for w in windows:
            want |= local_days(w, first, last)
        self.assertTrue(want, f'the CLI lists freeze windows for {segment} in {month}')
        cells = self.by_testid('freeze-day')
        self.assertEqual(len(cells), last.day)
        shown = {c.get_attribute('data-date') for c in cells if c.get_attribute('data-frozen') == 'true'}
        self.assertEqual(shown, want, 'the frozen days of the grid are those of `rampart freeze list`')
        day = sorted(want)[0]
        [cell] = [c for c in cells if c.get_attribute('data-date') == day]
        title = cell.get_attribute('title')
        rules = {f'{w["calendar"]}/{w["rule"]}' for w in windows if day in local_days(w, first, last)}
        self.assertTrue(any(r in title for r in rules), f'{day}: title {title!r} names one of {rules}')
        self.assertTrue(cell.find_elements(By.CSS_SELECTOR, '.bar span'), f'{day}: frozen hours are drawn')
        free = [c for c in cells if c.get_attribute('data-frozen') == 'false']
        self.assertTrue(free and all(c.get_attribute('data-date') not in want for c in free))
        check(f'{segment} {month}: frozen days {sorted(d[-2:] for d in want)} as `rampart freeze list` says; '
              f'{day} says {title.splitlines()[0]!r}')

    def test_07_audit_filters_and_paging(self):
        self.sign_in(S.support, S.support_name)
        self.go('audit')
        Select(self.by_id('audit-kind')).select_by_value('OBJECT_KIND_FLAG')
        self.by_id('audit-key').send_keys('export-format')
        self.by_id('audit-apply').click()
        cli = S.cli('audit', 'list', '--flag', 'export-format', '--limit', '50')['entries']
        self.wait(lambda: [r.get_attribute('data-key') for r in self.by_testid('audit-row')] == ['export-format'] * len(cli),
                  'the audit entries of export-format')
        rows = self.by_testid('audit-row')
        self.assertEqual([r.find_element(By.CSS_SELECTOR, '[data-testid="audit-actor"]').text for r in rows],
                         [e['actor'] for e in cli])
        self.assertEqual(rows[0].find_element(By.CSS_SELECTOR, '[data-testid="audit-reason"]').text,
                         'console test: ticket SUP-7')
        check(f'kind=flag key=export-format: {len(rows)} entries, actors {[e["actor"] for e in cli]} '
              f'as `rampart audit list --flag` says')

        Select(self.by_id('audit-kind')).select_by_value('')
        self.by_id('audit-key').clear()
        self.by_id('audit-actor').send_keys('rampartd-demo')
        Select(self.by_id('audit-size')).select_by_value('25')
        self.by_id('audit-apply').click()
        cli = S.cli('audit', 'list', '--actor', 'rampartd-demo', '--limit', '50')['entries']
        self.assertEqual(len(cli), 50, 'the demo data has more than 50 audit entries')
        revision = lambda r: r.find_elements(By.TAG_NAME, 'td')[-1].text
        self.wait(lambda: len(self.by_testid('audit-row')) == 25 and
                  all(r.get_attribute('data-actor') == 'rampartd-demo' for r in self.by_testid('audit-row')),
                  'the first page of rampartd-demo entries')
        page1 = [revision(r) for r in self.by_testid('audit-row')]
        self.assertTrue(self.by_id('audit-next').is_enabled())
        self.by_id('audit-next').click()
        self.wait(lambda: self.by_id('audit-page').text == 'page 2' and
                  [revision(r) for r in self.by_testid('audit-row')] != page1, 'the second page')
        page2 = [revision(r) for r in self.by_testid('audit-row')]
        self.assertEqual(page1 + page2, [str(e['revision']) for e in cli])
        self.by_id('audit-prev').click()
        self.wait(lambda: [revision(r) for r in self.by_testid('audit-row')] == page1, 'the first page again')
        check('actor=rampartd-demo, 25 a page: pages 1 and 2 are the 50 newest of `rampart audit list --actor`, '
              'and "Newer" returns to page 1')

    def test_08_release_manager_pauses_the_ramp(self):
        flag = 'bulk-payments'
        reason = 'console test: looking into the bank file'
        self.sign_in(S.rm, S.rm_name)
        self.assertIn('release', self.by_id('whoami-role').text)
        check(f'signed in as {S.rm_name}: "{self.by_id("whoami-role").text}"')
        self.go(f'ramps/{flag}')
        self.wait(lambda: self.by_testid('ramp-pause'), 'the Pause button')
        self.assertEqual(self.by_id('ramp-status').get_attribute('data-status'), 'RAMP_STATUS_RUNNING')
        pause = self.by_id('ramp-pause')
        self.assertTrue(pause.is_displayed() and pause.is_enabled())
        self.assertTrue(self.by_id('ramp-advance').is_enabled() and self.by_id('ramp-rollback').is_displayed())
        self.assertFalse(self.by_id('ramp-resume').is_enabled())
        check('Pause, Advance and Roll back are offered to the release manager (Resume is not: it runs)')

        pause.click()
        dialog = self.by_id('action-dialog')
        self.wait(lambda: dialog.is_displayed(), 'the reason dialog')
        self.by_id('action-confirm').click()   # no reason: refused by the form
        self.assertTrue(dialog.is_displayed())
        self.assertEqual(S.cli('ramp', 'status', flag)['ramp']['status'], 'RAMP_STATUS_RUNNING')
        check('without a reason the dialog stays open and nothing changes')
        self.by_id('action-reason').send_keys(reason)
        self.by_id('action-confirm').click()
        self.wait(lambda: not dialog.is_displayed() and
                  self.by_id('ramp-status').get_attribute('data-status') == 'RAMP_STATUS_PAUSED',
                  'the ramp to show as paused')
        self.assertFalse(self.banner())
        self.assertIn(S.rm_name, self.by_testid('ramp-paused')[0].text)
        self.assertTrue(self.by_id('ramp-resume').is_enabled())
        check('the console paused the ramp and now offers Resume')

        ramp = S.cli('ramp', 'status', flag)['ramp']
        self.assertEqual((ramp['status'], ramp.get('paused_by'), ramp.get('paused_reason')),
                         ('RAMP_STATUS_PAUSED', S.rm_name, reason))
        check(f'`rampart ramp status {flag}`: RAMP_STATUS_PAUSED by {S.rm_name}: "{reason}"')
        entries = S.cli('audit', 'list', '--actor', S.rm_name)['entries']
        pauses = [e for e in entries if e.get('operation') == 'ramp.pause' and e.get('object_key') == flag]
        self.assertEqual(len(pauses), 1, entries)
        self.assertEqual((pauses[0]['kind'], pauses[0]['reason']), ('OBJECT_KIND_RAMP', reason))
        check(f'`rampart audit list --actor {S.rm_name}`: ramp.pause of {flag} with the reason')

        self.go('audit')
        Select(self.by_id('audit-kind')).select_by_value('OBJECT_KIND_RAMP')
        self.by_id('audit-key').send_keys(flag)
        self.by_id('audit-apply').click()
        ramp_rows = lambda: [(r.get_attribute('data-kind'), r.get_attribute('data-key'))
                             for r in self.by_testid('audit-row')]
        self.wait(lambda: ramp_rows() and set(ramp_rows()) == {('OBJECT_KIND_RAMP', flag)} and
                  self.by_testid('audit-row')[0].get_attribute('data-actor') == S.rm_name,
                  'the pause at the top of the ramp\'s audit log')
        self.assertIn(reason, self.by_testid('audit-row')[0].text)
        check(f'the console\'s audit log names {S.rm_name} as the actor of the pause')

    def test_99_no_javascript_errors(self):
        S.collect_browser_errors()
        self.assertEqual(S.browser_errors, [], 'JavaScript errors in the browser console')
        check('no JavaScript errors in the browser console')


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(f'usage: {sys.argv[0]} RAMPARTD RAMPART_CLI')
    RAMPARTD, RAMPART = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for path in (RAMPARTD, RAMPART, CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            sys.exit(f'console_test: {path} is missing or not executable')
    started = time.monotonic()
    result = unittest.main(argv=[sys.argv[0], '-v'], exit=False).result
    print(f'console_test: {"PASSED" if result.wasSuccessful() else "FAILED"} in {time.monotonic() - started:.1f} s')
    sys.exit(0 if result.wasSuccessful() else 1)
