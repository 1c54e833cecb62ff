/** Work a cache guard keeps to one run: once per process, or once per instance (src/graph/lifetime.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, typeIds } from '../src/parse/language.js';
import { factsForSource } from '../src/facts/index.js';
import { ProjectIndex } from '../src/graph/index.js';
import { loadWorkModel } from '../src/classify/work-model.js';
import type { CallFact } from '../src/facts/types.js';

const parser = createParser();
const ids = typeIds(parser);

const models = `import abc
import json

_config = None


class Loader:
    def __init__(self, path):
        self.path = path
        self._data = None

    def data(self):
        if self._data is None:
            self._data = json.load(open(self.path))
        return self._data


class Holder:
    def __init__(self, path):
        self.loader = Loader(path)


class Made:
    def __init__(self):
        self._rows = None

    def rows(self):
        if self._rows is None:
            self._rows = json.loads("[]")
        return self._rows


class Orphan:
    def rows(self):
        if self._rows is None:
            self._rows = json.loads("[]")
        return self._rows


def config():
    global _config
    if _config is None:
        _config = json.load(open("/etc/app.json"))
    return _config


class Server:
    _instances = {}

    def __new__(cls, port=None):
        if port not in cls._instances:
            cls._instances[port] = super().__new__(cls)
        return cls._instances[port]

    def __init__(self, port=None):
        self._process = None

    def start(self):
        if self._process is None:
            self._process = json.load(open("/run/server.json"))
        return self._process


class Settings(metaclass=SingletonMeta):
    def __init__(self):
        self._values = None

    def values(self):
        if self._values is None:
            self._values = json.load(open("/etc/settings.json"))
        return self._values


class Tagged(metaclass=abc.ABCMeta):
    def __init__(self):
        self._tags = None

    def tags(self):
        if self._tags is None:
            self._tags = json.load(open("/etc/tags.json"))
        return self._tags


class Session:
    def __init__(self):
        self._output = None

    def output(self):
        if self._output is None:
            self._output = json.load(open("/etc/output.json"))
        return self._output


class Cart:
    def __init__(self):
        self._prices = None

    def prices(self):
        if self._prices is None:
            self._prices = json.load(open("/etc/prices.json"))
        return self._prices


class Panel:
    def __init__(self):
        self._layout = None

    def layout(self):
        if self._layout is None:
            self._layout = json.load(open("/etc/layout.json"))
        return self._layout


class Controller:
    # Made by a web framework: no construction site in the project.
    def __init__(self):
        self.cart = Cart()
        self.panel = Panel()


SHARED = Made()
DEFAULT_SESSION = Session()
`;

const handlers = `from app.models import Cart, Holder, Server, Session, Settings, Tagged


def handle(path):
    return Holder(path).loader.data()


def serve():
    return Server().start(), Settings().values(), Tagged().tags()


def scratch():
    return Session().output()


def checkout():
    return Cart().prices()
`;

const tests = `from app.models import Made


def test_rows():
    assert Made().rows() == []
`;

function project() {
  const modules = [
    factsForSource(models, 'app/models.py', parser, ids),
    factsForSource(handlers, 'app/handlers.py', parser, ids),
    factsForSource(tests, 'tests/test_models.py', parser, ids),
  ];
  return new ProjectIndex(modules, undefined, undefined, undefined, loadWorkModel().caches);
}

/** The call to `callee` in the function `fqn`, with that function's id. */
function callIn(index: ProjectIndex, fqn: string, callee: string): { id: number; call: CallFact } {
  const node = index.functionByFqn(fqn);
  assert.ok(node, fqn);
  const call = node.fact.calls.find((c) => c.callee === callee);
  assert.ok(call, `${callee} in ${fqn}`);
  return { id: node.id, call };
}

test('a guard on self marks its calls once per instance; a guard on a global, once per process', () => {
  const index = project();
  const onSelf = callIn(index, 'app.models.Loader.data', 'json.load').call;
  assert.equal(onSelf.once, true);
  assert.equal(onSelf.perInstance, true);
  const onGlobal = callIn(index, 'app.models.config', 'json.load').call;
  assert.equal(onGlobal.once, true);
  assert.equal(onGlobal.perInstance, undefined);
});

test('work guarded on self runs once per process only when the instances live as long', () => {
  const index = project();
  const once = (fqn: string, callee: string) => {
    const { id, call } = callIn(index, fqn, callee);
    return index.runsOnce(id, call);
  };
  // Made in Holder.__init__, and each Holder in a function called per request: every call.
  assert.equal(once('app.models.Loader.data', 'json.load'), false);
  // Made at module level (a test's own instance does not count): once.
  assert.equal(once('app.models.Made.rows', 'json.loads'), true);
  // No __init__ and no construction site in the project: as the guard says.
  assert.equal(once('app.models.Orphan.rows', 'json.loads'), true);
  // Made in a function, but a __new__ or a metaclass decides what a construction returns (a singleton): once.
  assert.equal(once('app.models.Server.start', 'json.load'), true);
  assert.equal(once('app.models.Settings.values', 'json.load'), true);
  // An abstract base's metaclass leaves construction as it is: every call.
  assert.equal(once('app.models.Tagged.tags', 'json.load'), false);
  // One process-wide instance beside short-lived ones: the shared one is the one used throughout, once.
  assert.equal(once('app.models.Session.output', 'json.load'), true);
  // Made by an object of unknown life and in a function called per request: every call.
  assert.equal(once('app.models.Cart.prices', 'json.load'), false);
  // Made only by an object of unknown life: as the guard says.
  assert.equal(once('app.models.Panel.layout', 'json.load'), true);
  // A global's guard: once, wherever the function is called from.
  assert.equal(once('app.models.config', 'json.load'), true);
  // A call under no guard never runs once.
  assert.equal(once('app.handlers.handle', 'Holder'), false);
});

test('a cache guard inside a try is in the function body; a memo lookup as try/except KeyError guards what follows', () => {
  const source = [
    'import json',
    '_manifest = None',
    '_pages = {}',
    'def manifest():',
    '    global _manifest',
    '    try:',
    '        if _manifest is not None:',
    '            return _manifest',
    '        _manifest = json.loads("{}")',
    '    except ValueError:',
    '        _manifest = {}',
    '    return _manifest',
    'def page(name):',
    '    try:',
    '        try:',
    '            return _pages[name]',
    '        except KeyError:',
    '            _pages[name] = json.dumps(name)',
    '    finally:',
    '        pass',
    '    return _pages[name]',
    'def looped(names):',
    '    for name in names:',
    '        try:',
    '            return _pages[name]',
    '        except KeyError:',
    '            _pages[name] = json.dumps(name)',
    '',
  ].join('\n');
  const facts = factsForSource(source, 'app/cache.py', parser, ids);
  const once = (qualname: string, callee: string) => facts.functions.find((f) => f.qualname === qualname)!.calls.find((c) => c.callee === callee)!.once;
  assert.equal(once('manifest', 'json.loads'), true);
  assert.equal(once('page', 'json.dumps'), true);
  // In a loop the lookup is not the function's own: what follows runs on every pass.
  assert.equal(once('looped', 'json.dumps'), undefined);
});
