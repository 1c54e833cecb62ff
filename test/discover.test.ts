/**
 * Tests of the discover stage on small trees built in temporary directories.
 *
 * Stage: discover. Inputs: trees made with `fs.mkdtemp` under `os.tmpdir()`. Outputs:
 * assertions on `DiscoverResult` (which files are kept, rel paths, order, errors).
 */

import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { discover, DiscoverError, type DiscoverResult } from '../src/discover/index.js';

const tempDirs: string[] = [];

after(async () => {
  for (const dir of tempDirs) {
    // Undo chmod 000 so the tree can be removed.
    await fsp.chmod(path.join(dir, 'locked'), 0o755).catch(() => undefined);
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

/** Makes a temp dir holding `files` (rel path -> content; a rel ending in '/' makes an empty dir). */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'gil-audit-discover-')));
  tempDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, ...rel.split('/'));
    if (rel.endsWith('/')) {
      await fsp.mkdir(abs, { recursive: true });
    } else {
      await fsp.mkdir(path.dirname(abs), { recursive: true });
      await fsp.writeFile(abs, content);
    }
  }
  return dir;
}

const rels = (list: { rel: string }[]): string[] => list.map((f) => f.rel);

/** Runs `fn` with the current directory set to `dir`. */
async function inDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(previous);
  }
}

describe('discover: what is collected', () => {
  test('collects .py/.pyi, manifests and native sources, sorted, with / separated rel paths', async () => {
    const root = await tree({
      'pkg/__init__.py': '',
      'pkg/mod.py': 'x = 1\n',
      'pkg/types.pyi': '',
      'pkg/sub/deep.py': '',
      'Zed.py': '',
      'a.py': '',
      'setup.py': '',
      'pyproject.toml': '',
      'setup.cfg': '',
      'Pipfile': '',
      'Pipfile.lock': '',
      'poetry.lock': '',
      'uv.lock': '',
      'environment.yml': '',
      'requirements.txt': '',
      'requirements-dev.txt': '',
      'requirements/base.txt': '',
      'notes.txt': '',
      'README.md': '',
      'ext/fast.c': '',
      'ext/fast.h': '',
      'ext/impl.cpp': '',
      'ext/impl.cc': '',
      'ext/impl.cxx': '',
      'ext/impl.hpp': '',
      'ext/speed.pyx': '',
      'ext/speed.pxd': '',
      'rust/src/lib.rs': '',
      'rust/Cargo.toml': '',
      'meson.build': '',
      'CMakeLists.txt': '',
    });
    const result = await discover([root]);
    assert.equal(result.root, root);
    assert.deepEqual(rels(result.files), [
      'Zed.py',
      'a.py',
      'pkg/__init__.py',
      'pkg/mod.py',
      'pkg/sub/deep.py',
      'pkg/types.pyi',
      'setup.py',
    ]);
    assert.deepEqual(rels(result.manifests), [
      'Pipfile',
      'Pipfile.lock',
      'environment.yml',
      'poetry.lock',
      'pyproject.toml',
      'requirements-dev.txt',
      'requirements.txt',
      'requirements/base.txt',
      'setup.cfg',
      'setup.py',
      'uv.lock',
    ]);
    assert.deepEqual(rels(result.nativeSources), [
      'CMakeLists.txt',
      'ext/fast.c',
      'ext/fast.h',
      'ext/impl.cc',
      'ext/impl.cpp',
      'ext/impl.cxx',
      'ext/impl.hpp',
      'ext/speed.pxd',
      'ext/speed.pyx',
      'meson.build',
      'rust/Cargo.toml',
      'rust/src/lib.rs',
    ]);
    assert.deepEqual(result.errors, []);
    const mod = result.files.find((f) => f.rel === 'pkg/mod.py');
    assert.ok(mod);
    assert.equal(mod.size, 6);
    assert.equal(mod.abs, path.join(root, 'pkg', 'mod.py'));
    for (const f of result.files) assert.ok(!f.rel.includes('\\') && !f.rel.startsWith('/'));
  });

  test('collects what the readiness checks read: .in and constraints files, pylock, CI, tox, pytest.ini, Docker, compose, .env', async () => {
    const root = await tree({
      'requirements.in': '',
      'requirements/prod.in': '',
      'constraints.txt': '',
      'constraints-ci.txt': '',
      'pylock.toml': '',
      'pylock.dev.toml': '',
      '.github/workflows/ci.yml': '',
      '.github/workflows/wheels.yaml': '',
      '.github/dependabot.yml': '',
      'docs/workflows/notes.yml': '',
      '.gitlab-ci.yml': '',
      '.circleci/config.yml': '',
      'azure-pipelines.yml': '',
      'tox.ini': '',
      'pytest.ini': '',
      'Dockerfile': '',
      'Dockerfile.dev': '',
      'docker/api.Dockerfile': '',
      'Containerfile': '',
      'docker-compose.yml': '',
      'compose.prod.yaml': '',
      '.env': '',
      '.env.example': '',
      'notes.in': '',
      'config.yml': '',
      'constraints.md': '',
    });
    const result = await discover([root]);
    assert.deepEqual(rels(result.manifests), [
      '.circleci/config.yml',
      '.env',
      '.env.example',
      '.github/workflows/ci.yml',
      '.github/workflows/wheels.yaml',
      '.gitlab-ci.yml',
      'Containerfile',
      'Dockerfile',
      'Dockerfile.dev',
      'azure-pipelines.yml',
      'compose.prod.yaml',
      'constraints-ci.txt',
      'constraints.txt',
      'docker-compose.yml',
      'docker/api.Dockerfile',
      'pylock.dev.toml',
      'pylock.toml',
      'pytest.ini',
      'requirements.in',
      'requirements/prod.in',
      'tox.ini',
    ]);
    assert.deepEqual(result.errors, []);
  });

  test('a workflows folder audited directly is still recognised as CI configuration', async () => {
    const root = await tree({ '.github/workflows/ci.yml': '' });
    const result = await discover([path.join(root, '.github', 'workflows')]);
    assert.deepEqual(rels(result.manifests), ['ci.yml']);
  });

  test('the same tree gives the same result twice', async () => {
    const root = await tree({ 'b/x.py': '', 'a/y.py': '', 'c.py': '', 'a/b/z.pyi': '' });
    const first = await discover([root]);
    const second = await discover([root]);
    assert.deepEqual(first, second);
    assert.deepEqual(rels(first.files), ['a/b/z.pyi', 'a/y.py', 'b/x.py', 'c.py']);
  });
});

describe('discover: ignore rules', () => {
  test('nested .gitignore files apply to their subtree, relative to their directory, with negation', async () => {
    const root = await tree({
      '.gitignore': 'generated/\n*_pb2.py\nx/\n/top_only.py\n',
      'generated/a.py': '',
      'api_pb2.py': '',
      'top_only.py': '',
      'x/in_root_x.py': '',
      'app/top_only.py': '',
      'app/main.py': '',
      'app/.gitignore': '!keep_pb2.py\n/local.py\n!x/\nscratch*\n!scratch_keep.py\n',
      'app/keep_pb2.py': '',
      'app/drop_pb2.py': '',
      'app/local.py': '',
      'app/deeper/local.py': '',
      'app/x/kept.py': '',
      'app/x/kept_pb2.py': '',
      'app/scratch1.py': '',
      'app/scratch_keep.py': '',
      'other/scratch1.py': '',
    });
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), [
      'app/deeper/local.py',
      'app/keep_pb2.py',
      'app/main.py',
      'app/scratch_keep.py',
      'app/top_only.py',
      'app/x/kept.py',
      'other/scratch1.py',
    ]);
  });

  test('respectGitignore: false disables .gitignore', async () => {
    const root = await tree({ '.gitignore': '*.py\n', 'a.py': '', 'sub/.gitignore': 'b.py\n', 'sub/b.py': '' });
    assert.deepEqual(rels((await discover([root])).files), []);
    assert.deepEqual(rels((await discover([root], { respectGitignore: false })).files), ['a.py', 'sub/b.py']);
  });

  test('.git/info/exclude at the root is honoured; .git itself is never walked', async () => {
    const root = await tree({
      '.git/info/exclude': 'private/\n',
      '.git/hooks/hook.py': '',
      'private/secret.py': '',
      'public.py': '',
    });
    assert.deepEqual(rels((await discover([root])).files), ['public.py']);
  });

  test('rules of the enclosing repository apply when auditing a subdirectory', async () => {
    const repo = await tree({
      '.git/info/exclude': '*_local.py\n',
      '.gitignore': '*_gen.py\nsrc/\n',
      'src/.gitignore': '!src_gen.py\n',
      'src/a.py': '',
      'src/a_gen.py': '',
      'src/src_gen.py': '',
      'src/b_local.py': '',
    });
    const result = await discover([path.join(repo, 'src')]);
    assert.deepEqual(rels(result.files), ['a.py', 'src_gen.py']);
  });

  test('--exclude globs are gitignore patterns on rel paths', async () => {
    const root = await tree({
      'app/main.py': '',
      'tests/test_main.py': '',
      'app/tests/test_inner.py': '',
      'app/migrations/0001_initial.py': '',
      'legacy/old.py': '',
      'legacy/old.pyi': '',
      'legacy/deep/older.py': '',
      'other/legacy/kept.py': '',
    });
    const result = await discover([root], { exclude: ['tests/', '**/migrations/**', 'legacy/*.py'] });
    assert.deepEqual(rels(result.files), ['app/main.py', 'legacy/deep/older.py', 'legacy/old.pyi', 'other/legacy/kept.py']);
  });

  test('--exclude wins over a .gitignore negation', async () => {
    const root = await tree({ '.gitignore': '!gen.py\n', 'gen.py': '', 'main.py': '' });
    assert.deepEqual(rels((await discover([root], { exclude: ['gen.py'] })).files), ['main.py']);
  });
});

describe('discover: skipped directories', () => {
  test('virtualenvs (pyvenv.cfg), installed packages, caches and build output are skipped', async () => {
    const root = await tree({
      'main.py': '',
      'myenv/pyvenv.cfg': 'home = /usr/bin\n',
      'myenv/lib/python3.12/site-packages/dep.py': '',
      'myenv/bin/activate_this.py': '',
      'node_modules/pkg/gyp.py': '',
      'lib/site-packages/dep.py': '',
      'lib/dist-packages/dep.py': '',
      'pkg/__pycache__/mod.cpython-312.py': '',
      'pkg/mod.py': '',
      'build/lib/pkg/mod.py': '',
      'dist/pkg.py': '',
      'pkg.egg-info/x.py': '',
      '.eggs/e.py': '',
      '.tox/py312/t.py': '',
      '.nox/n.py': '',
      '.venv/v.py': '',
      'venv/v.py': '',
      '.mypy_cache/m.py': '',
      '.pytest_cache/p.py': '',
      '.ruff_cache/r.py': '',
      '.hg/h.py': '',
      '.svn/s.py': '',
      'src/build.py': '',
    });
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['main.py', 'pkg/mod.py', 'src/build.py']);
  });

  test('a directory given on the command line is never skipped, even if named build, ignored or excluded', async () => {
    const root = await tree({
      '.gitignore': 'build/\n',
      'build/gen.py': '',
      'build/sub/more.py': '',
      'build/build/nested.py': '',
      'src/main.py': '',
      'venvlike/pyvenv.cfg': '',
      'venvlike/tool.py': '',
    });
    const alone = await discover([path.join(root, 'build')]);
    assert.equal(alone.root, path.join(root, 'build'));
    assert.deepEqual(rels(alone.files), ['gen.py', 'sub/more.py']);

    const several = await inDir(root, () => discover(['build', 'src', 'venvlike'], { exclude: ['build/'] }));
    assert.equal(several.root, root);
    assert.deepEqual(rels(several.files), ['build/gen.py', 'build/sub/more.py', 'src/main.py', 'venvlike/tool.py']);

    // Named explicitly and also met by the walk of '.': walked once, as named.
    const nested = await inDir(root, () => discover(['.', 'venvlike']));
    assert.deepEqual(rels(nested.files), ['src/main.py', 'venvlike/tool.py']);
  });

  test('files given on the command line are listed even if ignored; others are reported', async () => {
    const root = await tree({ '.gitignore': '*.py\n', 'a.py': '', 'b.pyi': '', 'c.py': '', 'notes.md': '' });
    const result = await inDir(root, () => discover(['c.py', './a.py', 'b.pyi', 'notes.md'], { exclude: ['a.py'] }));
    assert.equal(result.root, root);
    assert.deepEqual(rels(result.files), ['a.py', 'b.pyi', 'c.py']);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].file, 'notes.md');
    assert.match(result.errors[0].message, /not a \.py or \.pyi file/);
  });
});

describe('discover: symlinks', () => {
  test('a directory symlink to its parent (a loop) terminates without duplicates', async () => {
    const root = await tree({ 'pkg/mod.py': '', 'pkg/sub/deep.py': '' });
    await fsp.symlink('..', path.join(root, 'pkg', 'sub', 'loop'));
    await fsp.symlink(root, path.join(root, 'pkg', 'to_root'));
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['pkg/mod.py', 'pkg/sub/deep.py']);
  });

  test('a symlink whose target lies outside the root is not followed', async () => {
    const outside = await tree({ 'elsewhere.py': '', 'lib/far.py': '' });
    const root = await tree({ 'main.py': '' });
    await fsp.symlink(path.join(outside, 'lib'), path.join(root, 'linked_lib'));
    await fsp.symlink(path.join(outside, 'elsewhere.py'), path.join(root, 'linked.py'));
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['main.py']);
    assert.deepEqual(result.errors, []);
  });

  test('a file reached twice through symlinks is listed once, at its real path', async () => {
    const root = await tree({ 'real/mod.py': '', 'b.py': '' });
    await fsp.symlink(path.join('real', 'mod.py'), path.join(root, 'a_alias.py'));
    await fsp.symlink('real', path.join(root, 'a_dir_alias'));
    await fsp.symlink('b.py', path.join(root, 'real', 'b_alias.py'));
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['b.py', 'real/mod.py']);
  });

  test('a symlink inside the root to a directory not otherwise walked is followed', async () => {
    const root = await tree({ 'vendor_src/lib.py': '', '.gitignore': 'vendor_src/\n' });
    await fsp.symlink('vendor_src', path.join(root, 'vendored'));
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['vendored/lib.py']);
  });

  test('a broken symlink with a Python name is reported', async () => {
    const root = await tree({ 'ok.py': '' });
    await fsp.symlink('missing.py', path.join(root, 'dangling.py'));
    const result = await discover([root]);
    assert.deepEqual(rels(result.files), ['ok.py']);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].file, 'dangling.py');
    assert.match(result.errors[0].message, /broken symlink: ENOENT/);
  });
});

describe('discover: errors', () => {
  test('an unreadable directory is reported and the walk goes on', async (t) => {
    const root = await tree({ 'locked/hidden.py': '', 'open.py': '' });
    const locked = path.join(root, 'locked');
    await fsp.chmod(locked, 0o000);
    // As root (or with CAP_DAC_OVERRIDE) chmod does not deny reads: probe before asserting.
    const readable = await fsp.readdir(locked).then(
      () => true,
      () => false,
    );
    let result: DiscoverResult;
    try {
      result = await discover([root]);
    } finally {
      await fsp.chmod(locked, 0o755);
    }
    if (readable) {
      t.skip('permissions are not enforced for this user (running as root)');
      return;
    }
    assert.deepEqual(rels(result.files), ['open.py']);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].file, 'locked');
    assert.match(result.errors[0].message, /^cannot read directory: EACCES \(permission denied\); .*--exclude/);
  });

  test('a path that does not exist throws DiscoverError', async () => {
    const root = await tree({ 'a.py': '' });
    await assert.rejects(
      () => inDir(root, () => discover(['a.py', 'no/such/dir'])),
      (err: unknown) => {
        assert.ok(err instanceof DiscoverError);
        assert.match(err.message, /^path 'no\/such\/dir' does not exist; /);
        return true;
      },
    );
  });
});

describe('discover: root', () => {
  test('one directory is its own root; a file or several paths use the current directory', async () => {
    const root = await tree({ 'pkg/a.py': '', 'pkg/b.py': '', 'tools/t.py': '', 'x.py': '' });
    const one = await discover([path.join(root, 'pkg')]);
    assert.equal(one.root, path.join(root, 'pkg'));
    assert.deepEqual(rels(one.files), ['a.py', 'b.py']);

    const file = await inDir(root, () => discover(['pkg/a.py']));
    assert.equal(file.root, root);
    assert.deepEqual(rels(file.files), ['pkg/a.py']);

    const several = await inDir(root, () => discover(['tools', 'pkg', 'pkg/a.py']));
    assert.equal(several.root, root);
    assert.deepEqual(rels(several.files), ['pkg/a.py', 'pkg/b.py', 'tools/t.py']);

    const byDefault = await inDir(root, () => discover([]));
    assert.equal(byDefault.root, root);
    assert.deepEqual(rels(byDefault.files), ['pkg/a.py', 'pkg/b.py', 'tools/t.py', 'x.py']);
  });

  test('paths outside the current directory make their common ancestor the root', async () => {
    const base = await tree({ 'one/a.py': '', 'two/b.py': '', 'here/': '' });
    const result = await inDir(path.join(base, 'here'), () => discover(['../one', '../two/b.py']));
    assert.equal(result.root, base);
    assert.deepEqual(rels(result.files), ['one/a.py', 'two/b.py']);
  });
});
