import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchLanguage, requireLanguage } from '../src/engine/language.js';

test('one language rule: case, _ and - do not matter; a bare language finds a regional one and back', () => {
  assert.equal(matchLanguage('EN_us', ['en-gb', 'en-us']), 'en-us');
  assert.equal(matchLanguage('en', ['fr', 'en-us']), 'en-us');
  assert.equal(matchLanguage('en-GB', ['de', 'en']), 'en');
  assert.equal(matchLanguage('zh', ['en', 'zh']), 'zh');
  assert.equal(matchLanguage('de', ['en', 'zh']), undefined);
  assert.equal(matchLanguage('e', ['en']), undefined, 'a prefix of a tag is not its language');
});

test('an unknown language is a 400 naming the languages the model knows', () => {
  assert.throws(() => requireLanguage('ja', ['en', 'de'], 'm'), { status: 400, code: 'unsupported_language', param: 'language', message: /it knows: en, de/ });
});
