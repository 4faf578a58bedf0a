# bash completion for runphi(8): runc's commands and flags plus runphi's own.
# Container ids come from `runphi list -q` under the --root given.

_runphi_ids() {
  local root=() i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --root) root=(--root "${COMP_WORDS[i + 1]}") ;;
      --root=*) root=(--root "${COMP_WORDS[i]#--root=}") ;;
    esac
  done
  runphi "${root[@]}" list -q 2>/dev/null
}

_runphi() {
  local cur prev verb="" i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  local globals="--root --log --log-format --debug --systemd-cgroup --criu --rootless --runphi-config --version --help"
  local verbs="create run start state kill delete pause resume list ps exec update events checkpoint restore spec features help check env guest-status"

  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --root | --log | --log-format | --criu | --rootless | --runphi-config) ((i++)) ;;
      -*) ;;
      *) verb=${COMP_WORDS[i]}; break ;;
    esac
  done

  case $prev in
    --root | -b | --bundle | --image-path | --work-path) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --log | --runphi-config | --pid-file | --console-socket | -p | --process) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --log-format) mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur"); return ;;
    --rootless) mapfile -t COMPREPLY < <(compgen -W "true false auto" -- "$cur"); return ;;
    -f | --format) mapfile -t COMPREPLY < <(compgen -W "table json" -- "$cur"); return ;;
  esac

  if [[ -z $verb ]]; then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$globals" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
    fi
    return
  fi

  local flags=""
  case $verb in
    create) flags="--bundle --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds" ;;
    run) flags="--bundle --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds --detach --keep --no-subreaper" ;;
    kill) flags="--all" ;;
    delete) flags="--force" ;;
    list) flags="--format --quiet" ;;
    ps) flags="--format" ;;
    events) flags="--interval --stats" ;;
    exec) flags="--console-socket --cwd --env --tty --user --additional-gids --process --detach --pid-file --cap --preserve-fds --cgroup --ignore-paused" ;;
    spec) flags="--bundle --rootless" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
    return
  fi
  case $verb in
    start | state | kill | delete | pause | resume | ps | exec | update | events | checkpoint | guest-status)
      mapfile -t COMPREPLY < <(compgen -W "$(_runphi_ids)" -- "$cur") ;;
    help) mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur") ;;
  esac
}

complete -F _runphi runphi
