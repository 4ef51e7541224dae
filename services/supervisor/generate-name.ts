// Docker-style names for containers created without one ("brave_turing").
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'admiring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming',
  'clever', 'compassionate', 'competent', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic',
  'elastic', 'elegant', 'epic', 'exciting', 'fervent', 'festive', 'focused', 'friendly', 'frosty', 'funny',
  'gallant', 'gifted', 'goofy', 'gracious', 'happy', 'hopeful', 'hungry', 'infallible', 'inspiring', 'jolly',
  'jovial', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying',
  'naughty', 'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic',
  'pensive', 'practical', 'priceless', 'quirky', 'quizzical', 'relaxed', 'reverent', 'romantic', 'sad',
  'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'sweet', 'tender', 'thirsty', 'trusting',
  'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous',
];

const SURNAMES = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bell', 'bhabha', 'blackwell',
  'bohr', 'booth', 'borg', 'bose', 'brattain', 'brown', 'carson', 'cerf', 'chandrasekhar', 'curie', 'darwin',
  'dijkstra', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'fermat', 'fermi', 'feynman', 'galileo',
  'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hodgkin', 'hopper', 'hypatia',
  'jackson', 'johnson', 'kapitsa', 'keller', 'kepler', 'knuth', 'lamarr', 'lamport', 'leakey', 'liskov',
  'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel', 'morse', 'napier', 'newton',
  'nobel', 'noether', 'pascal', 'pasteur', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ritchie',
  'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stallman', 'swartz', 'tesla', 'thompson',
  'torvalds', 'turing', 'volhard', 'wescoff', 'wilbur', 'williams', 'wing', 'wozniak', 'wright', 'yalow',
];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
    const candidate = i < 10 ? name : `${name}${randomInt(10_000)}`;
    if (!taken(candidate)) return candidate;
  }
}
