"""Mining rule packs from a distribution's own releases, statically (the library is never imported).

Pipeline: ``releases`` fetches artifacts, ``archive``/``sources`` parse them, the ``extractors``
(one module per declaration family, found through the ``apimig.miners`` entry points) and the
``surface`` diff propose candidates, ``intervals`` bisects the release list for exact versions,
``assemble`` turns them into rules with cases and ``pack_writer`` emits the YAML pack.
"""
