# Run this cell first. It makes `spotlight_compat` importable: the course's version of Maciej
# Kula's spotlight library (`pip install spotlight` installs an unrelated library). Where the
# package is already installed it does nothing; otherwise it installs it from the wheel beside
# this notebook or, where there is none (Colab), from PACKAGE_URL. It never replaces the torch
# or numpy already installed.
import importlib.metadata, importlib.util, pathlib, subprocess, sys, tempfile

WHEEL = None        # the wheel's file name, set by the course's release
PACKAGE_URL = None  # where Colab installs it from, set by the course's release

if importlib.util.find_spec('spotlight_compat') is not None:
    import spotlight_compat
    print(f'spotlight_compat {spotlight_compat.__version__} is installed: nothing to do.')
else:
    source = WHEEL if WHEEL and pathlib.Path(WHEEL).is_file() else PACKAGE_URL
    if source is None:
        raise RuntimeError(f'spotlight_compat is not installed and {WHEEL} is not beside this notebook: put the '
                           'wheel from the course files in the notebook\'s folder (Colab: Files panel, Upload), '
                           'then run this cell again.')
    installed = {dist.metadata['Name'].lower(): dist.version for dist in importlib.metadata.distributions()}
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as keep:
        keep.write(''.join(f'{name}=={installed[name]}\n' for name in ('torch', 'numpy') if name in installed))
    result = subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                             '--constraint', keep.name, source], capture_output=True, text=True)
    pathlib.Path(keep.name).unlink()
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ['pip failed'])[-1]
        raise RuntimeError(f'pip could not install spotlight_compat from {source} ({reason}): without network, put '
                           f'the wheel {WHEEL} beside this notebook and run this cell again.')
    importlib.invalidate_caches()
    import spotlight_compat
    print(f'spotlight_compat {spotlight_compat.__version__} installed from {source} '
          '(torch and numpy left as they were).')
