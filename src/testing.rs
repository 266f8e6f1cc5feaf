//! Random inputs for property tests, from an xorshift generator: a failure
//! replays exactly from its seed. Test builds only; every layer may use it.

/// An xorshift64 generator seeded with `seed` (not zero).
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Texts for property tests: up to `max_pieces - 1` pieces of `alphabet` each.
pub(crate) fn random_texts<'a>(
    seed: u64,
    alphabet: &'a [&'a str],
    max_pieces: u64,
) -> impl Iterator<Item = String> + 'a {
    let mut next = xorshift(seed);
    std::iter::repeat_with(move || {
        let pieces = next() % max_pieces;
        (0..pieces)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect()
    })
}
