/**
 * pythonWith: the guard every Python-running export test uses. It must say exactly which modules are
 * missing and the apt-get command that installs them, and agree with what /usr/bin/python3 can import.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGE, missingPythonModules, PYTHON, pythonWith } from './python-testing';

const imports = (m: string) => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${m}`], { stdio: 'ignore' }).status === 0;

describe('pythonWith', () => {
  it('names a module Python lacks and the command that installs it', () => {
    const r = pythonWith(['layerlab_no_such_module']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    if (existsSync(PYTHON)) expect(r.reason).toBe("skipped: needs Python's layerlab_no_such_module — apt-get install -y layerlab_no_such_module");
    else expect(r.reason).toBe(`skipped: needs ${PYTHON} with layerlab_no_such_module — apt-get install -y python3 layerlab_no_such_module`);
  });

  it('agrees with /usr/bin/python3 about numpy, torch and PIL, naming only the missing ones with their Debian packages', () => {
    const modules = ['numpy', 'torch', 'PIL'];
    const absent = modules.filter((m) => !imports(m));
    expect(missingPythonModules(modules)).toEqual(absent);
    for (const m of modules) expect(pythonWith([m]).ok, m).toBe(!absent.includes(m));
    const r = pythonWith(modules);
    if (!absent.length) expect(r).toEqual({ ok: true });
    else if (existsSync(PYTHON)) expect(r).toEqual({ ok: false, reason: `skipped: needs Python's ${absent.join(', ')} — apt-get install -y ${absent.map((m) => DEBIAN_PACKAGE[m]).join(' ')}` });
    else expect(r).toEqual({ ok: false, reason: `skipped: needs ${PYTHON} with numpy, torch, PIL — apt-get install -y python3 python3-numpy python3-torch python3-pil` });
  });

  it('needs only the interpreter when given no modules', () => {
    expect(pythonWith([]).ok).toBe(existsSync(PYTHON));
  });
});
