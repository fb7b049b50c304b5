import EngramCore
