/**
 * Where models live by default: `models` in the data folder, so they stay
 * with the database through a re-clone, an upgrade into a new folder or a
 * container that keeps only its data volume. An install whose models are
 * still in the old ./models keeps using them there, with a health note that
 * says how to move them; a model_path someone set stays theirs.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir, modelFolder, resolveModel } from '../../src/transcription/models.js';
import { legacyModelFolder } from '../../src/system/health-models.js';

const root = mkdtempSync(join(tmpdir(), 'tio-model-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** An install folder: <install>/data is DATA_DIR; the server ran in <install>. */
function install(name: string): { dir: string; data: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  return { dir, data: join(dir, 'data') };
}

function putModel(folder: string, file = 'ggml-small.bin'): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, file), 'ggml');
  return join(folder, file);
}

const settingsOf = (modelPath: string) => ({ getString: (key: string) => (key === 'model_path' ? modelPath : '') });

describe('the model folder defaults to DATA_DIR/models', () => {
  it('a new install keeps its models in the data folder, as an absolute path', () => {
    const i = install('fresh');
    const f = modelFolder('', i.data, i.dir);
    assert.deepEqual(f, { dir: join(i.data, 'models'), source: 'data', dataDefault: join(i.data, 'models') });
    assert.equal(defaultModelDir('relative/data'), join(process.cwd(), 'relative', 'data', 'models'));
  });

  it('a downloaded model in DATA_DIR/models is found by name from any working folder', () => {
    const i = install('found');
    const file = putModel(join(i.data, 'models'));
    const dir = modelFolder('', i.data, join(root, 'elsewhere')).dir;
    assert.equal(resolveModel('small', dir), file);
  });

  it('./models, the default of older versions (never stored since migration 014), reads as the default', () => {
    const i = install('old-default-text');
    assert.equal(modelFolder('./models', i.data, i.dir).dir, join(i.data, 'models'));
    assert.equal(modelFolder('models/', i.data, i.dir).source, 'data');
  });

  it('a model_path someone set stays theirs, relative to the folder the server runs in', () => {
    const i = install('chosen');
    assert.deepEqual(modelFolder('/srv/whisper', i.data, i.dir), { dir: '/srv/whisper', source: 'setting', dataDefault: join(i.data, 'models') });
    assert.equal(modelFolder('my-models', i.data, i.dir).dir, join(i.dir, 'my-models'));
    assert.equal(modelFolder(' ./models2 ', i.data, i.dir).source, 'setting');
  });
});

describe('an install with its models in the old ./models keeps working', () => {
  it('models in ./models of the folder the server runs in are found and used while DATA_DIR/models has none', () => {
    const i = install('legacy-cwd');
    const file = putModel(join(i.dir, 'models'));
    const f = modelFolder('', i.data, i.dir);
    assert.deepEqual(f, { dir: join(i.dir, 'models'), source: 'legacy', dataDefault: join(i.data, 'models') });
    assert.equal(resolveModel('small', f.dir), file);
  });

  it('models next to the data folder are found from another working folder (a CLI run elsewhere)', () => {
    const i = install('legacy-beside');
    putModel(join(i.dir, 'models'));
    assert.equal(modelFolder('', i.data, join(root, 'somewhere else')).dir, join(i.dir, 'models'));
  });

  it('an empty old folder, or one with only a partial download, is not used', () => {
    const i = install('legacy-empty');
    mkdirSync(join(i.dir, 'models'));
    writeFileSync(join(i.dir, 'models', 'ggml-small.bin.part'), 'gg');
    assert.equal(modelFolder('', i.data, i.dir).source, 'data');
  });

  it('once DATA_DIR/models has a model, it wins over the old folder', () => {
    const i = install('moved');
    putModel(join(i.dir, 'models'));
    putModel(join(i.data, 'models'), 'ggml-base.bin');
    assert.equal(modelFolder('', i.data, i.dir).dir, join(i.data, 'models'));
  });

  it('the health note names both folders and the command that moves the files; none without a legacy folder', async () => {
    const i = install('note');
    assert.deepEqual(await legacyModelFolder({ settings: settingsOf(''), dataDir: i.data }), []);
    putModel(join(i.dir, 'models'));
    const cwd = process.cwd();
    process.chdir(i.dir);
    try {
      const [note] = await legacyModelFolder({ settings: settingsOf(''), dataDir: i.data });
      assert.equal(note.id, 'model_folder_legacy');
      assert.equal(note.level, 'info');
      assert.ok(note.message.includes(join(i.dir, 'models')) && note.message.includes(join(i.data, 'models')), note.message);
      assert.ok(note.fix.includes(`mkdir -p ${join(i.data, 'models')} && mv ${join(i.dir, 'models')}/*.bin ${join(i.data, 'models')}/`), note.fix);
      assert.deepEqual(await legacyModelFolder({ settings: settingsOf('/srv/whisper'), dataDir: i.data }), [], 'a folder someone chose is not questioned');
    } finally {
      process.chdir(cwd);
    }
  });
});
